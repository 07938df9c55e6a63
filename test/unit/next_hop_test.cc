// next_hop_test.cc - unit tests of next_hop.h against a scripted SMTP server on loopback
//
// The scripted server is the session tests' FakeNextHop: one fake, two suites.
#include "spoolgate/next_hop.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "fake_next_hop.h"

using namespace spoolgate;
using spoolgate::test::FakeNextHop;
using namespace std::chrono_literals;

namespace {

using Strings = std::vector<std::string>;

NextHopConfig config_for(const FakeNextHop& fake) {
  NextHopConfig c;
  c.endpoint.host = "127.0.0.1";
  c.endpoint.port = std::to_string(fake.port());
  c.hostname = "filter.test";
  c.timeout = 5000ms;
  return c;
}

Envelope envelope(std::string sender, Strings rcpts) {
  Envelope env;
  env.sender = std::move(sender);
  for (std::string& r : rcpts) env.add_recipient(std::move(r));
  return env;
}

// Body - a small message in memory, wire form
struct Body {
  Spool spool{"/tmp", 1 << 20};
  explicit Body(std::string_view wire) {
    spool.append(wire);
    spool.finish_in_memory();
  }
};

}  // namespace

TEST_CASE("open: greeting, EHLO, and the extensions that are mirrored", "[next_hop]") {
  FakeNextHop::Config c;
  c.ehlo = {"fake.example", "PIPELINING", "SIZE 10240000", "8BITMIME", "SMTPUTF8", "XFORWARD NAME ADDR IDENT"};
  FakeNextHop fake(c);
  NextHop hop(config_for(fake));
  hop.open();
  const NextHopFeatures& f = hop.features();
  CHECK(f.pipelining);
  CHECK(f.size);
  CHECK(f.size_limit == 10240000);
  CHECK(f.eightbitmime);
  CHECK(f.smtputf8);
  CHECK_FALSE(f.dsn);
  CHECK(f.xforward == Strings{"NAME", "ADDR", "IDENT"});
  CHECK(hop.relay() == "127.0.0.1[127.0.0.1]:" + std::to_string(fake.port()));
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  CHECK(fake.commands() == Strings{"EHLO filter.test", "QUIT"});
}

TEST_CASE("open: EHLO refused, HELO; greeting not 220, an error", "[next_hop]") {
  SECTION("HELO") {
    FakeNextHop::Config c;
    c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == "EHLO") return "502 5.5.2 no EHLO here";
      return std::nullopt;
    };
    FakeNextHop fake(c);
    NextHop hop(config_for(fake));
    hop.open();
    CHECK_FALSE(hop.features().pipelining);
    CHECK(fake.count("HELO") == 1);
  }
  SECTION("a 554 greeting") {
    FakeNextHop::Config c;
    c.greeting = "554 5.3.2 not now";
    FakeNextHop fake(c);
    NextHop hop(config_for(fake));
    CHECK_THROWS_AS(hop.open(), NextHopError);
  }
  SECTION("nobody listening") {
    FakeNextHop::Config c;
    c.listen = false;
    FakeNextHop fake(c);
    NextHop hop(config_for(fake));
    CHECK_THROWS_AS(hop.open(), NextHopError);
  }
}

TEST_CASE("read_reply: what is not SMTP is a NextHopError", "[next_hop]") {
  for (const char* bad : {"RAW:hello\r\n", "RAW:250-a\r\n251 b\r\n", "RAW:2500 x\r\n"}) {
    FakeNextHop::Config c;
    c.script = [bad](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == "NOOP") return std::string(bad);
      return std::nullopt;
    };
    FakeNextHop fake(c);
    NextHop hop(config_for(fake));
    hop.open();
    CHECK_THROWS_AS(hop.command("NOOP"), NextHopError);
  }
}

TEST_CASE("checked: only the classes that can end a command", "[next_hop]") {
  CHECK(NextHop::checked(Reply::make(250, "2.0.0", "Ok"), "x").code == 250);
  CHECK(NextHop::checked(Reply::make(451, "4.3.0", "no"), "x").code == 451);
  CHECK(NextHop::checked(Reply::make(550, "5.1.1", "no"), "x").code == 550);
  CHECK_THROWS_AS(NextHop::checked(Reply::make(354, "", "go"), "x"), NextHopError);
  CHECK_THROWS_AS(NextHop::checked(Reply::make(250, "2.0.0", "Ok"), "DATA", false), NextHopError);
}

TEST_CASE("data: DATA, the header fields, the body, the final dot, the reply", "[next_hop]") {
  FakeNextHop fake;
  NextHop hop(config_for(fake));
  hop.open();
  hop.command("MAIL FROM:<a@b>");
  hop.command("RCPT TO:<c@d>");
  Body body("Subject: hi\r\n\r\n..x\r\n");
  Delivery d = hop.data(OutgoingMessage{"X-Added: 1\r\n", body.spool, 19});
  CHECK(d.stage == Delivery::Stage::end_of_data);
  CHECK(d.reply.code == 250);
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  CHECK(fake.messages() == Strings{"X-Added: 1\r\nSubject: hi\r\n\r\n..x\r\n"});
}

TEST_CASE("data: a refused DATA is the answer, and nothing follows it", "[next_hop]") {
  FakeNextHop::Config c;
  c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "DATA") return "554 5.5.1 Error: no valid recipients";
    return std::nullopt;
  };
  FakeNextHop fake(c);
  NextHop hop(config_for(fake));
  hop.open();
  Body body("x\r\n");
  Delivery d = hop.data(OutgoingMessage{"", body.spool, 3});
  CHECK(d.stage == Delivery::Stage::data);
  CHECK(d.reply.code == 554);
  CHECK(d.what() == "DATA");
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  CHECK(fake.messages().empty());
  CHECK(fake.partial_messages() == 0);
}

TEST_CASE("deliver: one pipelined transaction with the parameters the message needs", "[next_hop]") {
  FakeNextHop fake;
  NextHop hop(config_for(fake));
  hop.open();
  Body body("Subject: caf\xc3\xa9\r\n\r\nx\r\n");
  Envelope env = envelope("s@example.com", {"r1@example.net", "r2@example.net"});
  Delivery d = hop.deliver(env, OutgoingMessage{"X-A: 1\r\n", body.spool, 20});
  CHECK(d.stage == Delivery::Stage::end_of_data);
  CHECK(d.reply.positive());
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  Strings cmds = fake.commands();
  REQUIRE(cmds.size() >= 4);
  CHECK(cmds[1] == "MAIL FROM:<s@example.com> SIZE=28 BODY=8BITMIME");
  CHECK(cmds[2] == "RCPT TO:<r1@example.net>");
  CHECK(cmds[3] == "RCPT TO:<r2@example.net>");
  CHECK(fake.messages().size() == 1);
}

TEST_CASE("deliver: all recipients or none; a 4xx refusal wins over a 5xx", "[next_hop]") {
  FakeNextHop::Config c;
  c.script = [](const std::string& verb, const std::string& line, int) -> std::optional<std::string> {
    if (verb != "RCPT") return std::nullopt;
    if (line.find("bad@") != std::string::npos) return "550 5.1.1 no such user";
    if (line.find("busy@") != std::string::npos) return "450 4.2.1 mailbox busy";
    return std::nullopt;
  };
  FakeNextHop fake(c);
  NextHop hop(config_for(fake));
  hop.open();
  Body body("x\r\n");
  Delivery d = hop.deliver(envelope("", {"ok@x", "bad@x", "busy@x"}), OutgoingMessage{"", body.spool, 3});
  CHECK(d.stage == Delivery::Stage::rcpt);
  CHECK(d.reply.code == 450);
  CHECK(d.what() == "RCPT TO:<busy@x>");
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  CHECK(fake.count("RSET") == 1);
  CHECK(fake.count("DATA") == 0);
  CHECK(fake.messages().empty());
}

TEST_CASE("deliver: without PIPELINING, one command at a time", "[next_hop]") {
  FakeNextHop::Config c;
  c.ehlo = {"fake.example", "SIZE"};
  c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "MAIL") return "451 4.3.0 try later";
    return std::nullopt;
  };
  FakeNextHop fake(c);
  NextHop hop(config_for(fake));
  hop.open();
  Body body("x\r\n");
  Delivery d = hop.deliver(envelope("s@x", {"r@x"}), OutgoingMessage{"", body.spool, 3});
  CHECK(d.stage == Delivery::Stage::mail);
  CHECK(d.reply.code == 451);
  hop.quit();
  REQUIRE(fake.wait_closed(1));
  CHECK(fake.count("RCPT") == 0);  // not sent after a refused MAIL
}
