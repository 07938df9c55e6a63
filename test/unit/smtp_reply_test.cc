// smtp_reply_test.cc - unit tests of smtp_reply.h: parsing next-hop lines, rendering replies
#include "spoolgate/smtp_reply.h"

#include <catch2/catch.hpp>

#include <string>

using namespace spoolgate;

namespace {

Reply reply(int code, std::vector<std::string> lines) {
  Reply r;
  r.code = code;
  r.lines = std::move(lines);
  return r;
}

}  // namespace

TEST_CASE("parse_reply_line: a last line", "[smtp_reply]") {
  auto r = parse_reply_line("250 2.1.0 Ok");
  REQUIRE(r);
  CHECK(r->code == 250);
  CHECK_FALSE(r->more);
  CHECK(r->text == "2.1.0 Ok");
}

TEST_CASE("parse_reply_line: a line with more to follow", "[smtp_reply]") {
  auto r = parse_reply_line("250-PIPELINING");
  REQUIRE(r);
  CHECK(r->code == 250);
  CHECK(r->more);
  CHECK(r->text == "PIPELINING");
}

TEST_CASE("parse_reply_line: a bare code, or a code and a space", "[smtp_reply]") {
  SECTION("\"354\"") {
    auto r = parse_reply_line("354");
    REQUIRE(r);
    CHECK(r->code == 354);
    CHECK_FALSE(r->more);
    CHECK(r->text.empty());
  }
  SECTION("\"221 \"") {
    auto r = parse_reply_line("221 ");
    REQUIRE(r);
    CHECK(r->code == 221);
    CHECK(r->text.empty());
  }
  SECTION("\"250-\"") {
    auto r = parse_reply_line("250-");
    REQUIRE(r);
    CHECK(r->more);
    CHECK(r->text.empty());
  }
}

TEST_CASE("parse_reply_line refuses what is not a reply line", "[smtp_reply]") {
  const char* bad[] = {
      "",          "25",        "2x0 Ok",   "abc",        " 250 Ok",  // not three digits first
      "250Ok",     "2500 Ok",   "250_Ok",   "250\tOk",                // no separator
      "600 Ok",    "699-x",     "000 x",    "099 x",                  // code class outside 1-5
  };
  for (const char* line : bad) {
    INFO(line);
    CHECK_FALSE(parse_reply_line(line));
  }
}

TEST_CASE("enhanced_code_length: X.Y.Z of class 2, 4 or 5", "[smtp_reply]") {
  struct Row {
    const char* text;
    std::size_t length;
  };
  const Row rows[] = {
      {"2.0.0", 5},          {"5.7.1 rejected", 5}, {"4.123.456 x", 9}, {"2.1.10", 6},
      {"", 0},               {"2.0", 0},            {"2.0.", 0},        {"2..0", 0},
      {"3.0.0 x", 0},        {"1.0.0", 0},          {"6.0.0", 0},       {"25.0.0", 0},
      {"5.1234.0", 0},       {"5.0.1234", 0},       {"5.0.0x", 0},      {"5.0.0.1", 0},
      {"5.0.0\tx", 0},       {"x5.0.0", 0},         {"5.a.0", 0},       {"5-0-0", 0},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    CHECK(enhanced_code_length(row.text) == row.length);
  }
}

TEST_CASE("reply_code_length: three digits, first 2-5, then a space or the end", "[smtp_reply]") {
  struct Row {
    const char* text;
    std::size_t length;
  };
  const Row rows[] = {
      {"250", 3},    {"550 5.7.1 no", 3}, {"451 x", 3}, {"599", 3},
      {"", 0},       {"25", 0},           {"2500", 0},  {"550-x", 0},
      {"150 x", 0},  {"650 x", 0},        {"5x0", 0},   {"550\tx", 0},
  };
  for (const Row& row : rows) {
    INFO(row.text);
    CHECK(reply_code_length(row.text) == row.length);
  }
}

TEST_CASE("Reply::render adds an enhanced code of the class when missing", "[smtp_reply]") {
  CHECK(reply(250, {"Ok"}).render() == "250 2.0.0 Ok\r\n");
  CHECK(reply(451, {"Try later"}).render() == "451 4.0.0 Try later\r\n");
  CHECK(reply(554, {"Transaction failed"}).render() == "554 5.0.0 Transaction failed\r\n");
}

TEST_CASE("Reply::render keeps an enhanced code of the reply's own class", "[smtp_reply]") {
  CHECK(reply(250, {"2.1.5 Ok"}).render() == "250 2.1.5 Ok\r\n");
  CHECK(reply(421, {"4.3.2 Service shutting down"}).render() == "421 4.3.2 Service shutting down\r\n");
  CHECK(reply(550, {"5.1.1 <x@y>: Recipient address rejected"}).render() ==
        "550 5.1.1 <x@y>: Recipient address rejected\r\n");
  CHECK(reply(250, {"2.0.0"}).render() == "250 2.0.0\r\n");
}

TEST_CASE("Reply::render replaces an enhanced code of another class", "[smtp_reply]") {
  CHECK(reply(550, {"4.7.1 odd"}).render() == "550 5.0.0 odd\r\n");
  CHECK(reply(250, {"5.0.0 odd"}).render() == "250 2.0.0 odd\r\n");
  CHECK(reply(451, {"2.0.0"}).render() == "451 4.0.0\r\n");
}

TEST_CASE("Reply::render of an empty text", "[smtp_reply]") {
  CHECK(reply(250, {}).render() == "250 2.0.0\r\n");
  CHECK(reply(250, {""}).render() == "250 2.0.0\r\n");
  CHECK(reply(250, {"   "}).render() == "250 2.0.0\r\n");
}

TEST_CASE("Reply::render leaves replies outside classes 2, 4, 5 alone", "[smtp_reply]") {
  CHECK(reply(354, {"End data with <CR><LF>.<CR><LF>"}).render() == "354 End data with <CR><LF>.<CR><LF>\r\n");
}

TEST_CASE("Reply::render writes multi-line replies with '-' on all but the last", "[smtp_reply]") {
  Reply r = reply(550, {"5.7.1 first", "second", "4.0.0 third"});
  CHECK(r.render() ==
        "550-5.7.1 first\r\n"
        "550-5.0.0 second\r\n"
        "550 5.0.0 third\r\n");
}

TEST_CASE("Reply::render shows control characters as '?'", "[smtp_reply]") {
  using namespace std::string_literals;
  SECTION("CR, LF, NUL, ESC, DEL") {
    Reply r = reply(250, {"a\rb\nc\0d\x1b"s "e\x7f"});
    CHECK(r.render() == "250 2.0.0 a?b?c?d?e?\r\n");
  }
  SECTION("an injected reply line stays inside the text") {
    Reply r = reply(550, {"5.7.1 no\r\n250 2.0.0 Ok"});
    CHECK(r.render() == "550 5.7.1 no??250 2.0.0 Ok\r\n");
  }
  SECTION("a tab is a control too") {
    CHECK(reply(250, {"a\tb"}).render() == "250 2.0.0 a?b\r\n");
  }
}

TEST_CASE("Reply::summary joins the rendered lines for the log", "[smtp_reply]") {
  CHECK(reply(250, {"Ok"}).summary() == "250 2.0.0 Ok");
  CHECK(reply(550, {"5.1.1 one", "two"}).summary() == "550-5.1.1 one 550 5.0.0 two");
}

TEST_CASE("Reply::make builds \"CODE ENH TEXT\"", "[smtp_reply]") {
  Reply r = Reply::make(451, "4.3.0", "Error: queue file write error");
  CHECK(r.code == 451);
  CHECK(r.lines == std::vector<std::string>{"4.3.0 Error: queue file write error"});
  CHECK(r.render() == "451 4.3.0 Error: queue file write error\r\n");
  CHECK(Reply::make(354, "", "go ahead").render() == "354 go ahead\r\n");
}

TEST_CASE("Reply::klass and positive", "[smtp_reply]") {
  CHECK(reply(250, {}).positive());
  CHECK(reply(221, {}).klass() == 2);
  CHECK_FALSE(reply(354, {}).positive());
  CHECK_FALSE(reply(451, {}).positive());
  CHECK(reply(554, {}).klass() == 5);
}
