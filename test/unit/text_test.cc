// text_test.cc - unit tests of text.h: control characters, ASCII, case
#include "spoolgate/text.h"

#include <catch2/catch.hpp>

#include <string>

using namespace spoolgate;

namespace {

/// has_control() octet by octet, the definition it must agree with.
bool has_control_slowly(const std::string& s, bool tab_ok) {
  for (char c : s)
    if (is_control(c) && !(tab_ok && c == '\t')) return true;
  return false;
}

}  // namespace

TEST_CASE("has_control: every octet value at every position of 8-octet words and the tail", "[text]") {
  for (std::size_t length : {1u, 7u, 8u, 9u, 16u, 23u}) {
    for (std::size_t at = 0; at < length; ++at) {
      for (int v = 0; v < 256; ++v) {
        std::string s(length, 'a');
        s[at] = static_cast<char>(v);
        for (bool tab_ok : {false, true}) {
          INFO("length " << length << ", octet " << v << " at " << at << ", tab_ok " << tab_ok);
          REQUIRE(has_control(s, tab_ok) == has_control_slowly(s, tab_ok));
        }
      }
    }
  }
}

TEST_CASE("has_control: what counts", "[text]") {
  CHECK_FALSE(has_control(""));
  CHECK_FALSE(has_control("MAIL FROM:<a@example.com> SIZE=1000 BODY=8BITMIME"));
  CHECK_FALSE(has_control("\x80\xff\xe9 8-bit text is not control"));
  CHECK(has_control("MAIL FROM:<a@example.com>\r"));
  CHECK(has_control("a\x7f"));
  CHECK(has_control("tab\there"));
  CHECK_FALSE(has_control("tab\there, allowed", true));
  CHECK(has_control(std::string("tab\tand a NUL\0", 15), true));
}

TEST_CASE("replace_controls shows each control character as '?'", "[text]") {
  std::string s = "a\tb\x01\x7f\xe9z";
  replace_controls(s);
  CHECK(s == "a?b??\xe9z");
}
