// xforward_test.cc - unit tests of xforward.h: xtext, XFORWARD parsing, ClientInfo, forwarding
#include "spoolgate/xforward.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace spoolgate;
using namespace std::string_literals;

namespace {

std::vector<XforwardAttr> parse(std::string_view args) {
  std::string error;
  auto attrs = parse_xforward(args, &error);
  INFO(error);
  REQUIRE(attrs);
  return *attrs;
}

std::string parse_error(std::string_view args) {
  std::string error;
  INFO(args);
  CHECK_FALSE(parse_xforward(args, &error));
  return error;
}

}  // namespace

TEST_CASE("xtext_decode: plain text and +HH", "[xforward]") {
  CHECK(xtext_decode("") == "");
  CHECK(xtext_decode("mail.example.com") == "mail.example.com");
  CHECK(xtext_decode("a+2Bb") == "a+b");
  CHECK(xtext_decode("+3D") == "=");
  CHECK(xtext_decode("x+20y+0D+0A") == "x y\r\n");
  CHECK(xtext_decode("+00") == "\0"s);
  CHECK(xtext_decode("+C3+A9") == "\xc3\xa9");
  CHECK(xtext_decode("[UNAVAILABLE]") == "[UNAVAILABLE]");
}

TEST_CASE("xtext_decode: malformed", "[xforward]") {
  const std::string bad[] = {"+", "a+", "a+2", "+2G", "+G2", "+ 2B", "a=b", "a b", "a\tb", "\x80", "\x7f", "\0"s};
  for (const std::string& s : bad) {
    INFO(Catch::Detail::stringify(s));
    CHECK_FALSE(xtext_decode(s));
  }
}

TEST_CASE("xtext_encode: '+', '=', blanks, controls and 8-bit become +HH", "[xforward]") {
  CHECK(xtext_encode("") == "");
  CHECK(xtext_encode("mail.example.com") == "mail.example.com");
  CHECK(xtext_encode("a+b=c d") == "a+2Bb+3Dc+20d");
  CHECK(xtext_encode("\x01\x7f\xc3\xa9") == "+01+7F+C3+A9");
  CHECK(xtext_encode("\0"s) == "+00");
}

TEST_CASE("xtext round trip over every octet", "[xforward]") {
  std::string all;
  for (int c = 0; c < 256; ++c) all += static_cast<char>(c);
  std::string encoded = xtext_encode(all);
  for (char c : encoded) {
    unsigned char u = static_cast<unsigned char>(c);
    CHECK((u >= 33 && u <= 126 && c != '='));
  }
  CHECK(xtext_decode(encoded) == all);
}

TEST_CASE("parse_xforward: Postfix's attributes, decoded", "[xforward]") {
  auto attrs = parse(
      "NAME=mail.example.com ADDR=IPV6:2001:db8::1 PORT=4711 PROTO=ESMTP HELO=helo+20name IDENT=4AbCdE "
      "SOURCE=REMOTE");
  REQUIRE(attrs.size() == 7);
  CHECK(attrs[0].name == "NAME");
  CHECK(attrs[0].token == "NAME=mail.example.com");
  CHECK(attrs[0].value == "mail.example.com");
  CHECK(attrs[1].name == "ADDR");
  CHECK(attrs[1].value == "IPV6:2001:db8::1");
  CHECK(attrs[2].value == "4711");
  CHECK(attrs[3].value == "ESMTP");
  CHECK(attrs[4].name == "HELO");
  CHECK(attrs[4].token == "HELO=helo+20name");
  CHECK(attrs[4].value == "helo name");
  CHECK(attrs[5].name == "IDENT");
  CHECK(attrs[5].value == "4AbCdE");
  CHECK(attrs[6].name == "SOURCE");
  CHECK(attrs[6].value == "REMOTE");
}

TEST_CASE("parse_xforward: names in any letter case, tokens kept as sent", "[xforward]") {
  auto attrs = parse("name=x  Addr=192.0.2.1");
  REQUIRE(attrs.size() == 2);
  CHECK(attrs[0].name == "NAME");
  CHECK(attrs[0].token == "name=x");
  CHECK(attrs[1].name == "ADDR");
  CHECK(attrs[1].token == "Addr=192.0.2.1");
  CHECK(attrs[1].value == "192.0.2.1");
}

TEST_CASE("parse_xforward: an empty value is allowed", "[xforward]") {
  auto attrs = parse("HELO=");
  REQUIRE(attrs.size() == 1);
  CHECK(attrs[0].value.empty());
}

TEST_CASE("parse_xforward: errors", "[xforward]") {
  SECTION("unknown name") {
    CHECK(parse_error("NAME=x FOO=y") == "Bad XFORWARD attribute name");
    CHECK(parse_error("XCLIENT=x") == "Bad XFORWARD attribute name");
  }
  SECTION("missing '='") {
    CHECK(parse_error("NAME") == "Bad XFORWARD attribute syntax");
    CHECK(parse_error("NAME=x ADDR") == "Bad XFORWARD attribute syntax");
    CHECK(parse_error("=x") == "Bad XFORWARD attribute syntax");
  }
  SECTION("bad xtext") {
    CHECK(parse_error("NAME=a+ZZ") == "Bad XFORWARD attribute value");
    CHECK(parse_error("HELO=a=b") == "Bad XFORWARD attribute value");
    CHECK(parse_error("HELO=a+") == "Bad XFORWARD attribute value");
  }
  SECTION("nothing at all") {
    CHECK(parse_error("") == "Syntax: XFORWARD attribute=value...");
    CHECK(parse_error("   ") == "Syntax: XFORWARD attribute=value...");
  }
}

TEST_CASE("ClientInfo::apply takes the decoded values", "[xforward]") {
  ClientInfo c;
  c.apply(parse("NAME=mail.example.com ADDR=192.0.2.1 PORT=25 PROTO=ESMTP HELO=h+2Bx IDENT=QID SOURCE=LOCAL"));
  CHECK(c.name == "mail.example.com");
  CHECK(c.addr == "192.0.2.1");
  CHECK(c.port == "25");
  CHECK(c.proto == "ESMTP");
  CHECK(c.helo == "h+x");
  CHECK(c.ident == "QID");
  CHECK(c.source == "LOCAL");
}

TEST_CASE("ClientInfo::apply: [UNAVAILABLE] and [TEMPUNAVAIL] are empty", "[xforward]") {
  ClientInfo c;
  c.apply(parse("NAME=[UNAVAILABLE] ADDR=[TEMPUNAVAIL] HELO=[UNAVAILABLE] IDENT=[TEMPUNAVAIL]"));
  CHECK(c.name.empty());
  CHECK(c.addr.empty());
  CHECK(c.helo.empty());
  CHECK(c.ident.empty());
}

TEST_CASE("ClientInfo::apply: the IPV6: prefix goes from ADDR only", "[xforward]") {
  ClientInfo c;
  c.apply(parse("ADDR=IPV6:2001:db8::1 NAME=IPV6:odd"));
  CHECK(c.addr == "2001:db8::1");
  CHECK(c.name == "IPV6:odd");
  c.apply(parse("ADDR=ipv6:::1"));
  CHECK(c.addr == "::1");
}

TEST_CASE("ClientInfo::apply: later values replace earlier, others stay", "[xforward]") {
  ClientInfo c;
  c.apply(parse("NAME=first ADDR=192.0.2.1"));
  c.apply(parse("NAME=second"));
  CHECK(c.name == "second");
  CHECK(c.addr == "192.0.2.1");
  c.apply(parse("NAME=[UNAVAILABLE]"));
  CHECK(c.name.empty());
  c.clear();
  CHECK(c.addr.empty());
}

TEST_CASE("forward_line keeps only the announced attributes, as sent", "[xforward]") {
  const auto attrs = parse("NAME=mail.example.com ADDR=192.0.2.1 port=25 HELO=h+20x IDENT=QID SOURCE=REMOTE");
  SECTION("a subset announced") {
    CHECK(forward_line(attrs, {"NAME", "ADDR", "PROTO", "HELO"}) ==
          "XFORWARD NAME=mail.example.com ADDR=192.0.2.1 HELO=h+20x");
  }
  SECTION("all announced, any case") {
    CHECK(forward_line(attrs, {"name", "addr", "port", "proto", "helo", "ident", "source"}) ==
          "XFORWARD NAME=mail.example.com ADDR=192.0.2.1 port=25 HELO=h+20x IDENT=QID SOURCE=REMOTE");
  }
  SECTION("none announced") {
    CHECK(forward_line(attrs, {}) == "");
    CHECK(forward_line(attrs, {"PROTO"}) == "");
  }
}
