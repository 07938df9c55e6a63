// smtp_command_test.cc - unit tests of smtp_command.h: verbs, MAIL/RCPT paths, SIZE=
#include "spoolgate/smtp_command.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace spoolgate;

namespace {

std::vector<std::string> strings(const std::vector<std::string_view>& v) {
  return std::vector<std::string>(v.begin(), v.end());
}

}  // namespace

TEST_CASE("parse_command knows every verb in any letter case", "[smtp_command]") {
  struct Row {
    const char* line;
    Verb verb;
  };
  const Row rows[] = {
      {"EHLO client.example", Verb::ehlo}, {"ehlo client.example", Verb::ehlo}, {"HeLo x", Verb::helo},
      {"mail FROM:<a@b>", Verb::mail},      {"RCPT TO:<a@b>", Verb::rcpt},      {"data", Verb::data},
      {"Rset", Verb::rset},                 {"nOOP", Verb::noop},               {"QUIT", Verb::quit},
      {"vrfy postmaster", Verb::vrfy},      {"help", Verb::help},               {"xforward NAME=x", Verb::xforward},
      {"XFORWARD ADDR=1.2.3.4", Verb::xforward},
  };
  for (const Row& row : rows) {
    INFO(row.line);
    CHECK(parse_command(row.line).verb == row.verb);
  }
}

TEST_CASE("parse_command: anything else is unknown", "[smtp_command]") {
  const char* lines[] = {"", "   ", "MAILX FROM:<a>", "MAI", "STARTTLS", "AUTH PLAIN", "BDAT 10", "DATA:", "X"};
  for (const char* line : lines) {
    INFO(line);
    CHECK(parse_command(line).verb == Verb::unknown);
  }
}

TEST_CASE("parse_command keeps the verb as sent and trims the arguments", "[smtp_command]") {
  SECTION("spaces and tabs around the arguments") {
    Command c = parse_command("mail \t FROM:<a@b>  SIZE=10 \t ");
    CHECK(c.verb == Verb::mail);
    CHECK(c.name == "mail");
    CHECK(c.args == "FROM:<a@b>  SIZE=10");
  }
  SECTION("leading blanks before the verb") {
    Command c = parse_command("  NOOP");
    CHECK(c.verb == Verb::noop);
    CHECK(c.name == "NOOP");
    CHECK(c.args.empty());
  }
  SECTION("a tab separates the verb") {
    Command c = parse_command("HELO\tclient");
    CHECK(c.verb == Verb::helo);
    CHECK(c.args == "client");
  }
  SECTION("no arguments, trailing blanks") {
    Command c = parse_command("QUIT  ");
    CHECK(c.verb == Verb::quit);
    CHECK(c.name == "QUIT");
    CHECK(c.args.empty());
  }
}

TEST_CASE("to_string(Verb) gives the upper-case verb", "[smtp_command]") {
  CHECK(std::string(to_string(Verb::mail)) == "MAIL");
  CHECK(std::string(to_string(Verb::xforward)) == "XFORWARD");
  CHECK(std::string(to_string(Verb::unknown)) == "unknown");
}

TEST_CASE("iequals and starts_with_keyword ignore ASCII letter case only", "[smtp_command]") {
  CHECK(iequals("FROM:", "from:"));
  CHECK(iequals("", ""));
  CHECK_FALSE(iequals("FROM", "FROM:"));
  CHECK_FALSE(iequals("a", "b"));
  CHECK_FALSE(iequals("\xc3\xa9", "\xc3\x89"));  // no Unicode folding
  CHECK(starts_with_keyword("from:<a>", "FROM:"));
  CHECK(starts_with_keyword("To:<a>", "TO:"));
  CHECK_FALSE(starts_with_keyword("FRO", "FROM:"));
  CHECK_FALSE(starts_with_keyword("TO:<a>", "FROM:"));
}

TEST_CASE("parse_path_args: the null path <>", "[smtp_command]") {
  auto p = parse_path_args("FROM:<>", "FROM:");
  REQUIRE(p);
  CHECK(p->address.empty());
  CHECK(p->params.empty());
}

TEST_CASE("parse_path_args: a plain address, keyword in any case", "[smtp_command]") {
  SECTION("FROM:") {
    auto p = parse_path_args("from:<user@example.com>", "FROM:");
    REQUIRE(p);
    CHECK(p->address == "user@example.com");
    CHECK(p->params.empty());
  }
  SECTION("TO:") {
    auto p = parse_path_args("To:<rcpt@example.org>", "TO:");
    REQUIRE(p);
    CHECK(p->address == "rcpt@example.org");
  }
  SECTION("the wrong keyword") {
    CHECK_FALSE(parse_path_args("TO:<a@b>", "FROM:"));
    CHECK_FALSE(parse_path_args("FROM<a@b>", "FROM:"));
  }
}

TEST_CASE("parse_path_args: \"FROM: <a>\" with a space, as Postfix takes it", "[smtp_command]") {
  auto p = parse_path_args("FROM: <a@b>", "FROM:");
  REQUIRE(p);
  CHECK(p->address == "a@b");
  auto q = parse_path_args("FROM:   <a@b> SIZE=1", "FROM:");
  REQUIRE(q);
  CHECK(q->address == "a@b");
  CHECK(strings(q->params) == std::vector<std::string>{"SIZE=1"});
}

TEST_CASE("parse_path_args: quoted local parts may hold '>' and spaces", "[smtp_command]") {
  SECTION("'>' inside quotes") {
    auto p = parse_path_args("FROM:<\"a>b\"@example.com> SIZE=5", "FROM:");
    REQUIRE(p);
    CHECK(p->address == "\"a>b\"@example.com");
    CHECK(strings(p->params) == std::vector<std::string>{"SIZE=5"});
  }
  SECTION("a space inside quotes") {
    auto p = parse_path_args("TO:<\"john smith\"@example.com>", "TO:");
    REQUIRE(p);
    CHECK(p->address == "\"john smith\"@example.com");
    CHECK(p->params.empty());
  }
  SECTION("an escaped quote inside quotes does not end them") {
    auto p = parse_path_args(R"(FROM:<"a\">b"@x>)", "FROM:");
    REQUIRE(p);
    CHECK(p->address == R"("a\">b"@x)");
  }
  SECTION("an unterminated quote swallows the '>'") {
    CHECK_FALSE(parse_path_args("FROM:<\"a>@x", "FROM:"));
  }
}

TEST_CASE("parse_path_args: a backslash escapes the next character", "[smtp_command]") {
  SECTION("an escaped '>' is part of the address, as sent") {
    auto p = parse_path_args(R"(FROM:<a\>b@x>)", "FROM:");
    REQUIRE(p);
    CHECK(p->address == R"(a\>b@x)");
  }
  SECTION("an escaped backslash does not escape the '>'") {
    auto p = parse_path_args(R"(FROM:<a\\@x>)", "FROM:");
    REQUIRE(p);
    CHECK(p->address == R"(a\\@x)");
  }
  SECTION("a backslash before the last '>' leaves the path open") {
    CHECK_FALSE(parse_path_args(R"(FROM:<a@x\>)", "FROM:"));
  }
}

TEST_CASE("parse_path_args: a bare address without <>", "[smtp_command]") {
  auto p = parse_path_args("FROM:user@example.com SIZE=100 BODY=8BITMIME", "FROM:");
  REQUIRE(p);
  CHECK(p->address == "user@example.com");
  CHECK(strings(p->params) == std::vector<std::string>{"SIZE=100", "BODY=8BITMIME"});
}

TEST_CASE("parse_path_args: parameters split at spaces, as sent", "[smtp_command]") {
  auto p = parse_path_args("TO:<r@x>  NOTIFY=SUCCESS,FAILURE   ORCPT=rfc822;r@x XTRA", "TO:");
  REQUIRE(p);
  CHECK(p->address == "r@x");
  CHECK(strings(p->params) == std::vector<std::string>{"NOTIFY=SUCCESS,FAILURE", "ORCPT=rfc822;r@x", "XTRA"});
}

TEST_CASE("parse_path_args: bad syntax", "[smtp_command]") {
  const char* bad[] = {
      "FROM:",            // no path
      "FROM:   ",         // only blanks
      "FROM:<a@b",        // missing '>'
      "FROM:<",           // just '<'
      "FROM:<a@b>SIZE=1", // no space after '>'
  };
  for (const char* args : bad) {
    INFO(args);
    CHECK_FALSE(parse_path_args(args, "FROM:"));
  }
}

TEST_CASE("parse_path_args refuses control characters in the address", "[smtp_command]") {
  using namespace std::string_literals;
  const std::string bad[] = {
      "FROM:<a\x01"s "b@x>", "FROM:<a\tb@x>", "FROM:<a\rb@x>", "FROM:<a\x7f@x>", "FROM:<a\0b@x>"s,
      "FROM:a\x01@x",
  };
  for (const std::string& args : bad) {
    INFO(args);
    CHECK_FALSE(parse_path_args(args, "FROM:"));
  }
  // 8-bit octets are not controls (SMTPUTF8 addresses)
  auto p = parse_path_args("FROM:<j\xc3\xb6rg@example.com>", "FROM:");
  REQUIRE(p);
  CHECK(p->address == "j\xc3\xb6rg@example.com");
}

TEST_CASE("size_param: SIZE= per RFC 1870", "[smtp_command]") {
  using P = std::vector<std::string_view>;
  SECTION("absent") {
    CHECK_FALSE(size_param(P{}));
    CHECK_FALSE(size_param(P{"BODY=8BITMIME", "SMTPUTF8"}));
    CHECK_FALSE(size_param(P{"SIZEX=10"}));
  }
  SECTION("valid, any letter case") {
    CHECK(size_param(P{"SIZE=0"}) == 0);
    CHECK(size_param(P{"SIZE=1048576"}) == 1048576);
    CHECK(size_param(P{"BODY=8BITMIME", "size=12"}) == 12);
    CHECK(size_param(P{"SIZE=999999999999999999"}) == 999999999999999999LL);
  }
  SECTION("malformed") {
    CHECK(size_param(P{"SIZE="}) == -1);
    CHECK(size_param(P{"SIZE=12a"}) == -1);
    CHECK(size_param(P{"SIZE=-1"}) == -1);
    CHECK(size_param(P{"SIZE= 1"}) == -1);
    CHECK(size_param(P{"SIZE=1234567890123456789"}) == -1);  // 19 digits: could overflow
  }
  SECTION("bare SIZE") {
    CHECK(size_param(P{"SIZE"}) == -1);
    CHECK(size_param(P{"size"}) == -1);
  }
}
