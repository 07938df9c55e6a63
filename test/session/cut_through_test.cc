// cut_through_test.cc - large messages streamed to the next hop before their end (issue 12)
//
// A message past 256 KiB is streamed to the next hop while it arrives, and
// the final "." is held until the verdict. What must hold: an accepted
// message arrives once, byte for byte; a message that is not accepted, or
// not received whole, is never completed downstream (the next-hop
// connection is dropped inside DATA), and the next transaction of the same
// session still goes through on a new connection. Each test also shows
// that the message was streamed at all: the next hop saw a DATA that never
// ended (partial_messages()), which store and forward never produces.
#include <catch2/catch.hpp>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

/// About `kib` KiB of message, CRLF, with lines that need dot-stuffing.
std::string big_body(int kib) {
  std::string body = "From: a@example.com\r\nSubject: cut-through\r\n\r\n";
  for (int i = 0; body.size() < static_cast<std::size_t>(kib) * 1024; ++i)
    body += (i % 100 == 0 ? "." : "") + std::string(1000, static_cast<char>('a' + i % 26)) + "\r\n";
  return body;
}

/// The wire form of `body` (dot-stuffed), as the next hop records it.
std::string stuffed(const std::string& body) {
  std::string out;
  std::size_t start = 0;
  while (start < body.size()) {
    std::size_t end = body.find("\r\n", start);
    if (body[start] == '.') out += '.';
    out += body.substr(start, end + 2 - start);
    start = end + 2;
  }
  return out;
}

/// The session up to DATA, then `part` of a message with no "." after it.
std::string broken_off(const std::string& part) {
  return crlf("EHLO client.example\nMAIL FROM:<sender@example.com>\nRCPT TO:<rcpt@example.net>\nDATA\n") + part;
}

/// The reply to the final "." of the n-th message (from 0).
std::string reply_to_dot(const std::string& out, int n = 0) {
  std::vector<std::string> l = lines(out);
  for (std::size_t i = 0; i + 1 < l.size(); ++i)
    if (l[i].rfind("354 ", 0) == 0 && n-- == 0) return l[i + 1];
  return "(no reply to the dot)";
}

}  // namespace

TEST_CASE("cut-through: an accepted large message arrives once, byte for byte, --add-header first", "[cut-through]") {
  Sandbox box;
  FakeNextHop hop;
  std::string body = big_body(1024);
  Run r = run_spoolgate(box, {hop_args(hop, {"--add-header", "X-Filtered-By: spoolgate", "--hook",
                                             hook("accept-all"), "--hook-timeout", "10"}),
                              transaction(body)});
  CHECK(reply_to_dot(r.output) == "250 2.0.0 Ok: queued as FAKE1");
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "X-Filtered-By: spoolgate\r\n" + stuffed(body));
  CHECK(hop.partial_messages() == 0);
  CHECK(hop.connections() == 1);
}

TEST_CASE("cut-through: a client cut off mid-stream delivers nothing", "[cut-through]") {
  Sandbox box;
  std::string spool = box.subdir("spool");
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--spool-dir", spool}), broken_off(big_body(600))});
  CHECK(only_replies(r.output));
  CHECK(hop.wait_closed(1, 5000));
  CHECK(hop.partial_messages() == 1);  // it was streamed ...
  CHECK(hop.messages().empty());       // ... and never completed
  CHECK(Sandbox::list(spool).empty());
}

TEST_CASE("cut-through: a message the hook rejects after it was streamed is never completed; the next one is",
          "[cut-through]") {
  Sandbox box;
  FakeNextHop::Config cfg;
  FakeNextHop hop(cfg);
  std::string input = transaction(big_body(600), {"rcpt@example.net"}, "sender@example.com", false) +
                      crlf("MAIL FROM:<second@example.com>\nRCPT TO:<rcpt@example.net>\nDATA\nSubject: small\n\nok\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("reject-virus"), "--hook-timeout", "10"}), input});
  CHECK(reply_to_dot(r.output, 0) == "550 5.7.1 virus found: Eicar-Test-Signature");
  CHECK(hop.partial_messages() == 1);
  CHECK(hop.messages().empty());  // the second message is rejected by the same hook
  CHECK(reply_to_dot(r.output, 1) == "550 5.7.1 virus found: Eicar-Test-Signature");
  CHECK(hop.connections() == 2);  // dropped inside DATA, reopened for the next MAIL
  CHECK(lines(r.output).back() == "221 2.0.0 Bye");
}

TEST_CASE("cut-through: after a dropped stream, the next transaction is delivered on a new connection",
          "[cut-through]") {
  Sandbox box;
  FakeNextHop hop;
  // No hook: a message too big for --max-size is refused after streaming began
  std::string input = transaction(big_body(600), {"rcpt@example.net"}, "sender@example.com", false) +
                      crlf("MAIL FROM:<second@example.com>\nRCPT TO:<rcpt@example.net>\nDATA\nSubject: small\n\nok\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--max-size", "500000"}), input});
  CHECK(reply_to_dot(r.output, 0).rfind("552 5.3.4", 0) == 0);
  CHECK(reply_to_dot(r.output, 1) == "250 2.0.0 Ok: queued as FAKE1");
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: small\r\n\r\nok\r\n");
  CHECK(hop.partial_messages() == 1);
  CHECK(hop.connections() == 2);
}

TEST_CASE("cut-through: the next hop cut off mid-stream: 4xx, nothing delivered", "[cut-through]") {
  Sandbox box;
  std::string spool = box.subdir("spool");
  FakeNextHop::Config cfg;
  cfg.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "DATA") return "354-CLOSE";
    return std::nullopt;
  };
  FakeNextHop hop(cfg);
  Run r = run_spoolgate(box, {hop_args(hop, {"--spool-dir", spool}), transaction(big_body(1024))});
  CHECK(only_replies(r.output));
  std::vector<std::string> l = lines(r.output);
  REQUIRE_FALSE(l.empty());
  CHECK(l.back().rfind("421 4.4.2", 0) == 0);
  CHECK(r.status == 75);
  CHECK(hop.messages().empty());
  CHECK(Sandbox::list(spool).empty());
}

TEST_CASE("cut-through: a DATA the next hop refuses answers the message", "[cut-through]") {
  Sandbox box;
  FakeNextHop::Config cfg;
  cfg.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "DATA") return "554 5.5.1 Error: no valid recipients";
    return std::nullopt;
  };
  FakeNextHop hop(cfg);
  Run r = run_spoolgate(box, {hop_args(hop, {}), transaction(big_body(600))});
  CHECK(reply_to_dot(r.output) == "554 5.5.1 Error: no valid recipients");
  CHECK(hop.messages().empty());
  CHECK(hop.count("DATA") == 1);  // asked once, while the message came
  CHECK(lines(r.output).back() == "221 2.0.0 Bye");
}

TEST_CASE("no cut-through for small messages, hooks that add fields, or hooks that may run long", "[cut-through]") {
  struct Case {
    std::string what;
    std::vector<std::string> args;
    int kib;
  } cases[] = {
      {"under 256 KiB", {}, 200},
      {"a headers-mode hook", {"--hook", hook("accept-all"), "--hook-output", "headers", "--hook-timeout", "5"}, 600},
      {"the default --hook-timeout (60 s)", {"--hook", hook("accept-all")}, 600},
  };
  for (const Case& c : cases) {
    INFO(c.what);
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop, c.args), broken_off(big_body(c.kib))});
    CHECK(hop.wait_closed(1, 5000));
    CHECK(hop.count("DATA") == 0);
    CHECK(hop.partial_messages() == 0);
  }
}
