// header_block_test.cc - unit tests of header_block.h: added header fields, checked and in wire form
#include "spoolgate/header_block.h"

#include <catch2/catch.hpp>

#include <string>

using namespace spoolgate;
using namespace std::string_literals;

namespace {

std::string wire(const std::string& text) {
  std::string error;
  INFO(text);
  auto w = header_block_to_wire(text, &error);
  INFO(error);
  REQUIRE(w);
  return *w;
}

std::string refused(const std::string& text) {
  std::string error;
  INFO(Catch::Detail::stringify(text));
  CHECK_FALSE(header_block_to_wire(text, &error));
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("header_block_to_wire: fields with LF or CRLF ends come out CRLF", "[header_block]") {
  CHECK(wire("X-Spam-Flag: NO\nX-Spam-Score: 1.2\n") == "X-Spam-Flag: NO\r\nX-Spam-Score: 1.2\r\n");
  CHECK(wire("X-A: 1\r\nX-B: 2\r\n") == "X-A: 1\r\nX-B: 2\r\n");
  CHECK(wire("X-A: 1\nX-B: 2\r\n") == "X-A: 1\r\nX-B: 2\r\n");
}

TEST_CASE("header_block_to_wire: a last field without a line end gets one", "[header_block]") {
  CHECK(wire("X-A: 1") == "X-A: 1\r\n");
}

TEST_CASE("header_block_to_wire: nothing is nothing", "[header_block]") {
  CHECK(wire("") == "");
}

TEST_CASE("header_block_to_wire: continuation lines", "[header_block]") {
  CHECK(wire("X-Report: a\n\tb\n  c\nX-B: 2\n") == "X-Report: a\r\n\tb\r\n  c\r\nX-B: 2\r\n");
}

TEST_CASE("header_block_to_wire: field names", "[header_block]") {
  SECTION("empty value, no space after the colon") {
    CHECK(wire("X-Empty:\nX-Tight:v\n") == "X-Empty:\r\nX-Tight:v\r\n");
  }
  SECTION("any printable ASCII but colon and space") {
    CHECK(wire("X!#$%&'*+-/=?^_`{|}~.A: v\n") == "X!#$%&'*+-/=?^_`{|}~.A: v\r\n");
  }
  SECTION("8-bit octets in the value pass") {
    CHECK(wire("Subject: caf\xc3\xa9\n") == "Subject: caf\xc3\xa9\r\n");
  }
  SECTION("a tab in the value passes") {
    CHECK(wire("X-A:\tv\n") == "X-A:\tv\r\n");
  }
}

TEST_CASE("header_block_to_wire: a name starting with '.' is dot-stuffed", "[header_block]") {
  CHECK(wire(".X-Dot: v\n") == "..X-Dot: v\r\n");
  CHECK(wire("X-A: 1\n.B: 2\n") == "X-A: 1\r\n..B: 2\r\n");
}

TEST_CASE("header_block_to_wire: empty lines are refused", "[header_block]") {
  CHECK(refused("X-A: 1\n\nX-B: 2\n") == "empty line in header output");
  CHECK(refused("X-A: 1\n\n") == "empty line in header output");
  CHECK(refused("\nX-A: 1\n") == "empty line in header output");
  CHECK(refused("X-A: 1\r\n\r\nbody\r\n") == "empty line in header output");
}

TEST_CASE("header_block_to_wire: a continuation before the first field is refused", "[header_block]") {
  CHECK(refused(" leading\nX-A: 1\n") == "continuation line before the first header field");
  CHECK(refused("\tX-A: 1\n") == "continuation line before the first header field");
}

TEST_CASE("header_block_to_wire: bad field names are refused", "[header_block]") {
  SECTION("missing colon") {
    CHECK(refused("X-A 1\n") == "not a header field: no \"Name:\"");
    CHECK(refused("X-A: 1\nbody text\n") == "not a header field: no \"Name:\"");
  }
  SECTION("empty name") {
    CHECK(refused(": v\n") == "not a header field: no \"Name:\"");
  }
  SECTION("space or tab in the name") {
    CHECK(refused("X A: v\n") == "bad character in a header field name");
    CHECK(refused("X-A : v\n") == "bad character in a header field name");
    CHECK(refused("X\tA: v\n") == "bad character in a header field name");
  }
  SECTION("8-bit in the name") {
    CHECK(refused("X-\xc3\xa9: v\n") == "bad character in a header field name");
  }
  SECTION("a mail body From_ line") {
    CHECK(refused("From sender@example.com Mon Jan  1 00:00:00 2024\n") == "bad character in a header field name");
  }
}

TEST_CASE("header_block_to_wire: control characters are refused", "[header_block]") {
  CHECK(refused("X-A: a\x01" "b\n") == "control character in header output");
  CHECK(refused("X-A: a\rb\n") == "control character in header output");
  CHECK(refused("X-A: a\x7f\n") == "control character in header output");
  CHECK(refused("X-A: a\0b\n"s) == "control character in header output");
  CHECK(refused("X-A: 1\r\r\n") == "control character in header output");
}
