// fuzz_check.h - what the fuzz targets share: an invariant check that always aborts
//
// DESCRIPTION
//   FUZZ_CHECK(cond, what) aborts with a message naming the invariant when
//   `cond` is false, whatever NDEBUG says: libFuzzer then saves the input as
//   a crash. A plain assert() would vanish in a release build, and STYLE.md
//   keeps assert() out of the product anyway.
//
//   within() says whether a string_view points into a buffer, the check that
//   a parser's results are pieces of its input and not copies or strays.
//
//   Splitter turns octets of the fuzz input into chunk lengths, so that a
//   target can feed the same data in many splits, all chosen by the fuzzer.
#pragma once

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

namespace spoolgate::fuzz {

[[noreturn]] inline void fail(const char* file, int line, const char* cond, const std::string& what) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", file, line, what.c_str(), cond);
  std::abort();
}

#define FUZZ_CHECK(cond, what)                                       \
  do {                                                               \
    if (!(cond)) ::spoolgate::fuzz::fail(__FILE__, __LINE__, #cond, (what)); \
  } while (0)

/// Whether `part` lies inside `whole` (an empty view anywhere in it, or null, counts).
inline bool within(std::string_view part, std::string_view whole) {
  if (part.empty()) return true;
  const char* b = whole.data();
  return part.data() >= b && part.data() + part.size() <= b + whole.size();
}

/// Printable form of a short string, for messages.
inline std::string show(std::string_view s, std::size_t max = 120) {
  std::string out;
  for (char c : s.substr(0, max)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 32 && u < 127 && c != '\\') {
      out += c;
    } else {
      char b[8];
      std::snprintf(b, sizeof b, "\\x%02x", u);
      out += b;
    }
  }
  if (s.size() > max) out += "...";
  return out;
}

/// Chunk lengths drawn from a few octets of the input: 1 to 64 octets each,
/// cycling through the octets given.
class Splitter {
 public:
  explicit Splitter(std::string_view seed) : seed_(seed) {}
  std::size_t next() {
    if (seed_.empty()) return 1;
    unsigned char u = static_cast<unsigned char>(seed_[i_++ % seed_.size()]);
    return 1 + (u & 63);
  }

 private:
  std::string_view seed_;
  std::size_t i_ = 0;
};

}  // namespace spoolgate::fuzz
