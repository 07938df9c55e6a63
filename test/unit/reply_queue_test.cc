// reply_queue_test.cc - unit tests of reply_queue.h: replies in the client's order
#include "spoolgate/reply_queue.h"

#include <catch2/catch.hpp>

#include <deque>
#include <string>

using namespace spoolgate;

namespace {

// Script - the next hop's replies, and what the client was written
struct Script {
  std::deque<Reply> next_hop;
  std::string written;
  int reads = 0;
  Reply read() {
    ++reads;
    Reply r = next_hop.front();
    next_hop.pop_front();
    return r;
  }
};

ReplyQueue::OnReply relay() {
  return [](const Reply& r) -> std::optional<Reply> { return r; };
}

}  // namespace

TEST_CASE("ReplyQueue: known and owed replies leave in the order the commands came", "[reply_queue]") {
  Script s;
  s.next_hop = {Reply::make(250, "2.1.0", "Ok"), Reply::make(550, "5.1.1", "unknown")};
  ReplyQueue q;
  q.expect(relay());                    // MAIL, forwarded
  q.push("501 5.5.4 Syntax: RCPT TO:<address>\r\n");  // a bad RCPT, answered by us
  q.expect(relay());                    // RCPT, forwarded
  CHECK(q.awaiting() == 2);
  CHECK(q.resolve([&] { return s.read(); }, [&](const std::string& r) { s.written += r; }, [] { return false; }));
  CHECK(s.written == "250 2.1.0 Ok\r\n501 5.5.4 Syntax: RCPT TO:<address>\r\n550 5.1.1 unknown\r\n");
  CHECK(q.empty());
  CHECK(q.awaiting() == 0);
}

TEST_CASE("ReplyQueue: a reply the client never asked for is read, not written", "[reply_queue]") {
  Script s;
  s.next_hop = {Reply::make(250, "2.0.0", "Ok")};
  ReplyQueue q;
  q.expect([](const Reply&) -> std::optional<Reply> { return std::nullopt; });  // our own RSET
  q.resolve([&] { return s.read(); }, [&](const std::string& r) { s.written += r; }, [] { return false; });
  CHECK(s.reads == 1);
  CHECK(s.written.empty());
}

TEST_CASE("ReplyQueue: stop() after a reply drops the rest", "[reply_queue]") {
  Script s;
  s.next_hop = {Reply::make(421, "4.3.2", "going away"), Reply::make(250, "2.0.0", "never read")};
  ReplyQueue q;
  q.expect(relay());
  q.expect(relay());
  q.push("250 2.0.0 Ok\r\n");
  bool closing = false;
  auto read = [&] {
    Reply r = s.read();
    closing = r.code == 421;
    return r;
  };
  CHECK_FALSE(q.resolve(read, [&](const std::string& r) { s.written += r; }, [&] { return closing; }));
  CHECK(s.written == "421 4.3.2 going away\r\n");
  CHECK(s.reads == 1);
  CHECK(q.empty());
}

TEST_CASE("ReplyQueue: what on_reply throws passes on, the rest stays queued", "[reply_queue]") {
  Script s;
  s.next_hop = {Reply::make(250, "2.0.0", "Ok")};
  ReplyQueue q;
  q.expect([](const Reply&) -> std::optional<Reply> { throw std::runtime_error("RSET refused"); });
  q.push("250 2.0.0 Ok\r\n");
  CHECK_THROWS(q.resolve([&] { return s.read(); }, [&](const std::string& r) { s.written += r; }, [] { return false; }));
  CHECK_FALSE(q.empty());
}
