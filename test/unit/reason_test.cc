// reason_test.cc - unit tests of reason.h: the hook's last line and the reply made from it
#include "spoolgate/reason.h"

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/bounds.h"

using namespace spoolgate;
using namespace std::string_literals;

namespace {

std::string last_of(const std::string& output, bool finish = true) {
  LastLine l;
  l.feed(output);
  if (finish) l.finish();
  return l.last();
}

}  // namespace

TEST_CASE("LastLine keeps the last non-empty line", "[reason]") {
  CHECK(last_of("first\nsecond\n") == "second");
  CHECK(last_of("first\nsecond\n\n\n") == "second");
  CHECK(last_of("only\n") == "only");
  CHECK(last_of("") == "");
  CHECK(last_of("\n\n") == "");
}

TEST_CASE("LastLine: a line empty once made printable does not count", "[reason]") {
  CHECK(last_of("reason\n   \n\t\t\n") == "reason");
  CHECK(last_of("reason\n\x01\x02\x1b\n"s) == "reason");
  CHECK(last_of("reason\n\xc3\xa9\xff\n") == "reason");
  CHECK(last_of("reason\n\0\n"s) == "reason");
}

TEST_CASE("LastLine drops controls and 8-bit octets", "[reason]") {
  CHECK(last_of("vi\x01rus\x7f \xc3\xa9" "found\n") == "virus found");
  CHECK(last_of("a\0b\n"s) == "ab");
  CHECK(last_of("a\rb\n") == "ab");
  CHECK(last_of("reason\r\n") == "reason");
  CHECK(last_of("\x1b[31mred\x1b[0m\n") == "[31mred[0m");
}

TEST_CASE("LastLine turns tabs into spaces and trims", "[reason]") {
  CHECK(last_of("\tvirus\tfound\t\n") == "virus found");
  CHECK(last_of("   padded   \n") == "padded");
  CHECK(last_of("a  \t b\n") == "a    b");
  CHECK(last_of(" \x01 x\n") == "x");
}

TEST_CASE("LastLine cuts a line to kMaxReasonChars", "[reason]") {
  REQUIRE(kMaxReasonChars == 200);
  SECTION("a long line") {
    std::string line;
    for (int i = 0; i < 300; ++i) line += static_cast<char>('a' + i % 26);
    CHECK(last_of(line + "\n") == line.substr(0, 200));
  }
  SECTION("controls do not count toward the 200") {
    std::string line;
    for (int i = 0; i < 200; ++i) line += "\x01x";
    CHECK(last_of(line + "\n") == std::string(200, 'x'));
  }
  SECTION("blanks at the cut are trimmed") {
    CHECK(last_of(std::string(199, 'a') + "    b\n") == std::string(199, 'a'));
  }
}

TEST_CASE("LastLine handles a huge line, fed in pieces", "[reason]") {
  LastLine l;
  l.feed("short reason\n");
  const std::string chunk(65536, 'z');
  for (int i = 0; i < 160; ++i) l.feed(chunk);  // 10 MiB, no newline
  l.feed("\n");
  CHECK(l.last() == std::string(200, 'z'));
}

TEST_CASE("LastLine: lines may arrive in any pieces", "[reason]") {
  LastLine l;
  l.feed("ab");
  l.feed("c\nde");
  CHECK(l.last() == "abc");
  l.feed("f\n");
  CHECK(l.last() == "def");
}

TEST_CASE("LastLine: an unterminated last line counts after finish()", "[reason]") {
  LastLine l;
  l.feed("first\nlast words");
  CHECK(l.last() == "first");
  l.finish();
  CHECK(l.last() == "last words");

  SECTION("an unterminated blank tail does not replace it") {
    LastLine m;
    m.feed("first\n  \x01");
    m.finish();
    CHECK(m.last() == "first");
  }
}

TEST_CASE("reason_reply: defaults when REASON is empty", "[reason]") {
  CHECK(reason_reply("", 5, 550, "5.7.1", "Message content rejected").render() ==
        "550 5.7.1 Message content rejected\r\n");
  CHECK(reason_reply("", 4, 451, "4.7.1", "Try again later").render() == "451 4.7.1 Try again later\r\n");
}

TEST_CASE("reason_reply: plain text replaces the default text", "[reason]") {
  CHECK(reason_reply("virus found: Eicar", 5, 550, "5.7.1", "Message content rejected").render() ==
        "550 5.7.1 virus found: Eicar\r\n");
}

TEST_CASE("reason_reply: codes of the verdict's class replace the defaults", "[reason]") {
  struct Row {
    const char* reason;
    int klass;
    const char* rendered;
  };
  const Row rows[] = {
      {"554 5.7.0 spam", 5, "554 5.7.0 spam\r\n"},
      {"553 spam", 5, "553 5.7.1 spam\r\n"},
      {"5.7.9 spam", 5, "550 5.7.9 spam\r\n"},
      {"452 4.2.2 mailbox full", 4, "452 4.2.2 mailbox full\r\n"},
      {"4.3.0 scanner busy", 4, "451 4.3.0 scanner busy\r\n"},
      {"450 greylisted", 4, "450 4.7.1 greylisted\r\n"},
      {"554   5.7.0   spaced", 5, "554 5.7.0 spaced\r\n"},
  };
  for (const Row& row : rows) {
    INFO(row.reason);
    Reply r = row.klass == 5 ? reason_reply(row.reason, 5, 550, "5.7.1", "Message content rejected")
                             : reason_reply(row.reason, 4, 451, "4.7.1", "Try again later");
    CHECK(r.render() == row.rendered);
  }
}

TEST_CASE("reason_reply: codes of another class are dropped", "[reason]") {
  struct Row {
    const char* reason;
    int klass;
    const char* rendered;
  };
  const Row rows[] = {
      {"451 4.7.1 later", 5, "550 5.7.1 later\r\n"},
      {"250 2.0.0 fine", 5, "550 5.7.1 fine\r\n"},
      {"554 4.7.1 mixed", 5, "554 5.7.1 mixed\r\n"},
      {"451 5.7.9 mixed", 5, "550 5.7.9 mixed\r\n"},
      {"550 5.7.1 no", 4, "451 4.7.1 no\r\n"},
      {"5.1.1 unknown user", 4, "451 4.7.1 unknown user\r\n"},
      {"550 greylisted", 4, "451 4.7.1 greylisted\r\n"},
  };
  for (const Row& row : rows) {
    INFO(row.reason);
    Reply r = row.klass == 5 ? reason_reply(row.reason, 5, 550, "5.7.1", "Message content rejected")
                             : reason_reply(row.reason, 4, 451, "4.7.1", "Try again later");
    CHECK(r.render() == row.rendered);
  }
}

TEST_CASE("reason_reply: only codes, no text: the default text", "[reason]") {
  CHECK(reason_reply("554 5.7.0", 5, 550, "5.7.1", "Message content rejected").render() ==
        "554 5.7.0 Message content rejected\r\n");
  CHECK(reason_reply("550", 5, 550, "5.7.1", "Message content rejected").render() ==
        "550 5.7.1 Message content rejected\r\n");
  CHECK(reason_reply("451 4.7.1", 5, 550, "5.7.1", "Message content rejected").render() ==
        "550 5.7.1 Message content rejected\r\n");
}

TEST_CASE("reason_reply: what only looks like a code is text", "[reason]") {
  CHECK(reason_reply("550-multi", 5, 550, "5.7.1", "x").render() == "550 5.7.1 550-multi\r\n");
  CHECK(reason_reply("5501 x", 5, 550, "5.7.1", "x").render() == "550 5.7.1 5501 x\r\n");
  CHECK(reason_reply("5.7 x", 5, 550, "5.7.1", "x").render() == "550 5.7.1 5.7 x\r\n");
}
