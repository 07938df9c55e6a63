// smtp_stream_test.cc - unit tests of smtp_stream.h over a socketpair: records, buffering, DATA, time limits
#include "spoolgate/smtp_stream.h"

#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <thread>

#include "spoolgate/bounds.h"
#include "spoolgate/data_codec.h"
#include "spoolgate/fd.h"

using namespace spoolgate;
using namespace std::chrono_literals;

namespace {

// Pair - a connected socketpair: `ours` for the stream, `peer` for the test
struct Pair {
  Fd ours, peer;
  Pair() {
    int fds[2];
    REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0);
    ours.reset(fds[0]);
    peer.reset(fds[1]);
  }
  void say(const std::string& s) const { REQUIRE(::write(peer.get(), s.data(), s.size()) == static_cast<ssize_t>(s.size())); }
  void hang_up() const { ::shutdown(peer.get(), SHUT_WR); }
  // heard - what the stream has sent so far (no wait beyond what is there)
  std::string heard() const {
    std::string out;
    char buf[4096];
    for (;;) {
      ssize_t n = ::recv(peer.get(), buf, sizeof buf, MSG_DONTWAIT);
      if (n <= 0) return out;
      out.append(buf, static_cast<std::size_t>(n));
    }
  }
};

}  // namespace

TEST_CASE("read_line: CRLF, bare LF, and a last line without its end at EOF", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  p.say("EHLO a\r\nNOOP\nQUIT");
  p.hang_up();
  SmtpStream::Line l = s.read_line(kMaxCommandLine);
  CHECK(l.text == "EHLO a");
  CHECK(l.crlf);
  l = s.read_line(kMaxCommandLine);
  CHECK(l.text == "NOOP");
  CHECK_FALSE(l.crlf);
  CHECK_FALSE(s.has_line(kMaxCommandLine));  // a partial line: it counts only once EOF is known
  l = s.read_line(kMaxCommandLine);
  CHECK(l.text == "QUIT");
  CHECK_FALSE(l.crlf);
  try {
    s.read_line(kMaxCommandLine);
    FAIL("no IoError at the end");
  } catch (const IoError& e) {
    CHECK(e.kind == IoError::Kind::eof);
    CHECK(e.peer == Peer::client);
  }
}

TEST_CASE("read_line: an over-long line is skipped to its LF and reported, memory bounded", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  std::thread writer([&] { p.say(std::string(3 * kReadBuffer, 'x') + "\r\nNOOP\r\n"); });
  SmtpStream::Line l = s.read_line(kMaxCommandLine);
  CHECK(l.too_long);
  CHECK(l.text.empty());
  l = s.read_line(kMaxCommandLine);
  CHECK(l.text == "NOOP");
  writer.join();
}

TEST_CASE("pipelining: lines already buffered are there without a wait", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  p.say("MAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n");
  CHECK_FALSE(s.has_line(kMaxCommandLine));  // nothing read yet
  CHECK(s.read_line(kMaxCommandLine).text == "MAIL FROM:<a@b>");
  CHECK(s.has_line(kMaxCommandLine));
  CHECK(s.read_line(kMaxCommandLine).text == "RCPT TO:<c@d>");
  CHECK_FALSE(s.has_line(kMaxCommandLine));
}

TEST_CASE("output waits in the buffer and leaves in one write before the next wait for input", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  s.write("250 one\r\n");
  s.write("250 two\r\n");
  CHECK(s.pending_output() == 18);
  CHECK(p.heard().empty());
  p.say("QUIT\r\n");
  CHECK(s.read_line(kMaxCommandLine).text == "QUIT");  // flushes first
  CHECK(p.heard() == "250 one\r\n250 two\r\n");
  CHECK(s.pending_output() == 0);
}

TEST_CASE("a silent peer: IoError timeout, naming the peer", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 200ms, Peer::next_hop);
  try {
    s.read_line(kMaxReplyLine);
    FAIL("no timeout");
  } catch (const IoError& e) {
    CHECK(e.kind == IoError::Kind::timeout);
    CHECK(e.peer == Peer::next_hop);
    CHECK(std::string(e.what()).find("next hop") != std::string::npos);
  }
}

TEST_CASE("read_data: to the end of data, leaving the pipelined command behind it", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  p.say("Subject: x\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  StringSink out;
  WireWriter wire(out);
  int idle = 0;
  s.read_data(decoder, wire, 100ms, [&] { ++idle; });
  CHECK(out.s == "Subject: x\r\n\r\n..dot\r\n");
  CHECK(decoder.size() == 20);
  CHECK(s.read_line(kMaxCommandLine).text == "QUIT");
}

TEST_CASE("read_data: the other peer is kept alive while this one is silent", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 5000ms, Peer::client);
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  StringSink out;
  WireWriter wire(out);
  int idle = 0;
  std::thread late([&] {
    ::usleep(450 * 1000);
    p.say("body\r\n.\r\n");
  });
  s.read_data(decoder, wire, 100ms, [&] { ++idle; });
  late.join();
  CHECK(out.s == "body\r\n");
  CHECK(idle >= 2);  // called while nothing came; the exact count is the scheduler's
}

TEST_CASE("read_data: EOF before the end of data and silence past the timeout are IoErrors", "[smtp_stream]") {
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  StringSink out;
  WireWriter wire(out);
  SECTION("the client hangs up mid-message") {
    Pair p;
    SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
    p.say("half a mess");
    p.hang_up();
    try {
      s.read_data(decoder, wire, 100ms, [] {});
      FAIL("no IoError");
    } catch (const IoError& e) {
      CHECK(e.kind == IoError::Kind::eof);
    }
  }
  SECTION("the client stops sending") {
    Pair p;
    SmtpStream s(p.ours.get(), p.ours.get(), 300ms, Peer::client);
    p.say("half a mess");
    try {
      s.read_data(decoder, wire, 50ms, [] {});
      FAIL("no IoError");
    } catch (const IoError& e) {
      CHECK(e.kind == IoError::Kind::timeout);
    }
  }
  SECTION("on_idle may end it: the next hop is lost") {
    Pair p;
    SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
    auto lost = [] { throw IoError(IoError::Kind::eof, Peer::next_hop, 0, "next hop lost during DATA"); };
    try {
      s.read_data(decoder, wire, 50ms, lost);
      FAIL("no IoError");
    } catch (const IoError& e) {
      CHECK(e.peer == Peer::next_hop);
    }
  }
}

TEST_CASE("peer_closed_now: tells a hang-up without waiting", "[smtp_stream]") {
  Pair p;
  SmtpStream s(p.ours.get(), p.ours.get(), 2000ms, Peer::client);
  CHECK_FALSE(s.peer_closed_now());
  p.hang_up();
  CHECK(s.peer_closed_now());
}
