// message_log_test.cc - unit tests of message_log.h: the one log line per message
#include "spoolgate/message_log.h"

#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <string>

#include "spoolgate/bounds.h"
#include "samples.h"

using namespace spoolgate;
using spoolgate::test::sample;

namespace {

// parts - the log line without its delay value, which depends on the clock
struct LogParts {
  std::string before;  ///< up to and including "delay="
  std::string delay;
  std::string after;  ///< from ", relay="
};

LogParts parts(const std::string& line) {
  std::size_t d = line.find(", delay=");
  std::size_t r = line.find(", relay=");
  REQUIRE(d != std::string::npos);
  REQUIRE(r != std::string::npos);
  d += 8;
  return {line.substr(0, d), line.substr(d, r - d), line.substr(r)};
}

}  // namespace

TEST_CASE("log_line: the format of SPEC \"Log\"", "[message_log]") {
  Envelope env = sample();
  env.start = Deadline::Clock::now() - std::chrono::milliseconds(1500);
  Outcome o{Verdict::accept, "0", "localhost[127.0.0.1]:10026", "250 2.0.0 Ok: queued as 5XyZ"};
  LogParts p = parts(log_line(env, o));
  CHECK(p.before ==
        "4AbCdE: from=<sender@example.com>, to=<r1@example.org>,<r2@example.net>, nrcpt=2, size=1234, "
        "verdict=accept, hook=0, delay=");
  CHECK(p.after == ", relay=localhost[127.0.0.1]:10026, reply=(250 2.0.0 Ok: queued as 5XyZ)");
  // seconds with two decimals, at least the 1.5 s that passed
  REQUIRE(p.delay.size() >= 4);
  CHECK(p.delay[p.delay.size() - 3] == '.');
  CHECK(std::stod(p.delay) >= 1.5);
  CHECK(std::stod(p.delay) < 60);
}

TEST_CASE("log_line: NOQUEUE, the null sender, no hook, nothing relayed", "[message_log]") {
  Envelope env;
  env.add_recipient("r@x");
  Outcome o{Verdict::reject, "none", "", "550 5.7.1 Message content rejected", "message file too big"};
  LogParts p = parts(log_line(env, o));
  CHECK(p.before == "NOQUEUE: from=<>, to=<r@x>, nrcpt=1, size=0, verdict=reject, hook=none, delay=");
  CHECK(p.after == ", relay=none, reply=(550 5.7.1 Message content rejected), reason=(message file too big)");
}

TEST_CASE("log_line: addresses are made printable", "[message_log]") {
  Envelope env;
  env.sender = "evil\r\nX: y@x";
  env.add_recipient("r\x01@x");
  std::string line = log_line(env, Outcome{Verdict::defer, "75", "", "451 4.7.1 Try again later"});
  CHECK(line.find('\r') == std::string::npos);
  CHECK(line.find('\n') == std::string::npos);
  CHECK(parts(line).before ==
        "NOQUEUE: from=<evil??X: y@x>, to=<r?@x>, nrcpt=1, size=0, verdict=defer, hook=75, delay=");
}

TEST_CASE("log_line: to= is cut at 1000 characters with '...'", "[message_log]") {
  REQUIRE(kMaxLogRecipients == 1000);
  Envelope env;
  std::string all;
  for (int i = 0; i < 100; ++i) {
    std::string r = fmt::format("recipient{:03}@example.com", i);  // 24 octets, 26 with <>
    env.add_recipient(r);
    all += (i ? ",<" : "<") + r + ">";
  }
  LogParts p = parts(log_line(env, Outcome{Verdict::accept, "0", "h[1.2.3.4]:25", "250 Ok"}));
  const std::string prefix = "NOQUEUE: from=<>, to=";
  REQUIRE(p.before.rfind(prefix, 0) == 0);
  std::size_t end = p.before.find(", nrcpt=100, size=0, verdict=accept, hook=0, delay=");
  REQUIRE(end != std::string::npos);
  std::string to = p.before.substr(prefix.size(), end - prefix.size());
  // 37 recipients fit in 26 + 36 * 27 = 998 characters; a 38th would make 1025
  REQUIRE(to.size() > 3);
  CHECK(to.substr(to.size() - 3) == "...");
  std::string kept = to.substr(0, to.size() - 3);
  CHECK(kept.size() <= 1000);
  CHECK(kept.size() == 26 + 36 * 27);
  CHECK(all.rfind(kept, 0) == 0);
  CHECK(kept.back() == '>');

  SECTION("a list that fits is not cut") {
    Envelope small;
    for (int i = 0; i < 37; ++i) small.add_recipient(fmt::format("recipient{:03}@example.com", i));
    std::string line = log_line(small, Outcome{Verdict::accept, "0", "", ""});
    CHECK(line.find("...") == std::string::npos);
    CHECK(line.find("<recipient036@example.com>, nrcpt=37") != std::string::npos);
  }
}

TEST_CASE("log_line: reason= for reject, defer and discard, never for accept", "[message_log]") {
  Envelope env;
  env.add_recipient("r@x");
  CHECK(log_line(env, Outcome{Verdict::discard, "99", "", "250 2.0.0 Ok: discarded", "virus found: Eicar"})
            .find(", reply=(250 2.0.0 Ok: discarded), reason=(virus found: Eicar)") != std::string::npos);
  CHECK(log_line(env, Outcome{Verdict::defer, "1", "", "451 4.7.1 hook exited 1", "hook exited 1"})
            .find("reason=(hook exited 1)") != std::string::npos);
  std::string accept = log_line(env, Outcome{Verdict::accept, "0", "h[1.2.3.4]:25", "250 Ok", "ignored"});
  CHECK(accept.find("reason=") == std::string::npos);
  CHECK(accept.substr(accept.size() - 16) == ", reply=(250 Ok)");
  std::string evil = log_line(env, Outcome{Verdict::reject, "65", "", "550 no", "a\r\nb"});
  CHECK(evil.find("reason=(a??b)") != std::string::npos);
}
