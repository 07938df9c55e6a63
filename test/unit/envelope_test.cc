// envelope_test.cc - unit tests of envelope.h: the hook's environment and macros
#include "spoolgate/envelope.h"

#include <catch2/catch.hpp>

#include <fmt/core.h>

#include <algorithm>
#include <string>
#include <vector>

#include "spoolgate/bounds.h"
#include "samples.h"

using namespace spoolgate;
using spoolgate::test::sample;

namespace {

using Strings = std::vector<std::string>;

// value - the value of NAME=... in an environment, or "<unset>"
std::string value(const Strings& env, const std::string& name) {
  for (const std::string& e : env)
    if (e.rfind(name + "=", 0) == 0) return e.substr(name.size() + 1);
  return "<unset>";
}

// split_lines - "a\nb" -> {a, b}
Strings split_lines(const std::string& s) {
  Strings out;
  std::size_t start = 0;
  for (;;) {
    std::size_t nl = s.find('\n', start);
    out.push_back(s.substr(start, nl - start));
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
  return out;
}

}  // namespace

TEST_CASE("Envelope::environment: the SPOOLGATE_* variables of SPEC", "[envelope]") {
  CHECK(sample().environment() == Strings{
                                      "SPOOLGATE_SENDER=sender@example.com",
                                      "SPOOLGATE_RECIPIENTS=r1@example.org\nr2@example.net",
                                      "SPOOLGATE_CLIENT_ADDRESS=192.0.2.1",
                                      "SPOOLGATE_CLIENT_HOSTNAME=mail.example.com",
                                      "SPOOLGATE_CLIENT_HELO=helo.example.com",
                                      "SPOOLGATE_QUEUE_ID=4AbCdE",
                                      "SPOOLGATE_SIZE=1234",
                                    "SPOOLGATE_CLIENT_SOURCE=REMOTE",
                                    "SPOOLGATE_CLIENT_PROTO=ESMTP",
                                  });
}

TEST_CASE("Envelope::environment: the null sender and no XFORWARD are empty", "[envelope]") {
  Envelope env;
  env.add_recipient("r@x");
  CHECK(env.environment() == Strings{
                                 "SPOOLGATE_SENDER=",
                                 "SPOOLGATE_RECIPIENTS=r@x",
                                 "SPOOLGATE_CLIENT_ADDRESS=",
                                 "SPOOLGATE_CLIENT_HOSTNAME=",
                                 "SPOOLGATE_CLIENT_HELO=",
                                 "SPOOLGATE_QUEUE_ID=",
                                 "SPOOLGATE_SIZE=0",
                               "SPOOLGATE_CLIENT_SOURCE=",
                               "SPOOLGATE_CLIENT_PROTO=",
                             });
}

TEST_CASE("Envelope::environment: recipients up to 100 KiB are all there", "[envelope]") {
  REQUIRE(kMaxEnvRecipients == 100 * 1024);
  // 1024 recipients: 1023 of 99 octets and one of 100, with 1023 LFs: exactly 102400
  Envelope env;
  for (int i = 0; i < 1023; ++i) env.add_recipient(fmt::format("{:0>87}@example.com", i));
  env.add_recipient(fmt::format("{:0>88}@example.com", 1023));
  Strings e = env.environment();
  std::string rcpts = value(e, "SPOOLGATE_RECIPIENTS");
  CHECK(rcpts.size() == 102400);
  CHECK(split_lines(rcpts) == env.recipients);
  CHECK(value(e, "SPOOLGATE_RECIPIENTS_TRUNCATED") == "<unset>");
}

TEST_CASE("Envelope::environment: past 100 KiB the list is cut at a recipient", "[envelope]") {
  Envelope env;
  for (int i = 0; i < 1100; ++i) env.add_recipient(fmt::format("{:0>87}@example.com", i));  // 99 octets each
  Strings e = env.environment();
  std::string rcpts = value(e, "SPOOLGATE_RECIPIENTS");
  Strings lines = split_lines(rcpts);
  // 1024 recipients make 1024 * 100 - 1 = 102399 octets; one more would pass 102400
  REQUIRE(lines.size() == 1024);
  CHECK(std::equal(lines.begin(), lines.end(), env.recipients.begin()));
  CHECK(rcpts.size() == 102399);
  CHECK(value(e, "SPOOLGATE_RECIPIENTS_TRUNCATED") == "1");
  // ${recipient} still carries them all
  CHECK(env.macros().recipients.size() == 1100);

  SECTION("one octet more than 100 KiB is cut too") {
    Envelope f;
    for (int i = 0; i < 1023; ++i) f.add_recipient(fmt::format("{:0>87}@example.com", i));
    f.add_recipient(fmt::format("{:0>89}@example.com", 1023));  // 102401 in all
    Strings fe = f.environment();
    CHECK(split_lines(value(fe, "SPOOLGATE_RECIPIENTS")).size() == 1023);
    CHECK(value(fe, "SPOOLGATE_RECIPIENTS_TRUNCATED") == "1");
  }
}

TEST_CASE("Envelope::add_recipient counts octets", "[envelope]") {
  Envelope env;
  env.add_recipient("abc");
  env.add_recipient("de");
  CHECK(env.recipient_bytes == 7);
  CHECK(env.recipients == Strings{"abc", "de"});
}

TEST_CASE("Envelope::macros: pipe(8)'s macro values", "[envelope]") {
  MacroValues m = sample().macros();
  CHECK(m.sender == "sender@example.com");
  CHECK(m.recipients == Strings{"r1@example.org", "r2@example.net"});
  CHECK(m.client_address == "192.0.2.1");
  CHECK(m.client_hostname == "mail.example.com");
  CHECK(m.client_helo == "helo.example.com");
  CHECK(m.queue_id == "4AbCdE");
  CHECK(m.size == "1234");
}

TEST_CASE("Envelope::log_queue_id: XFORWARD IDENT or NOQUEUE", "[envelope]") {
  CHECK(sample().log_queue_id() == "4AbCdE");
  CHECK(Envelope().log_queue_id() == "NOQUEUE");
}
