// text.cc - the few rules about bytes in text that several modules apply
#include "spoolgate/text.h"

#include <cstdint>
#include <cstring>

namespace spoolgate {
namespace {

constexpr std::uint64_t kEachOctet = 0x0101010101010101ULL;
constexpr std::uint64_t kHighBits = 0x8080808080808080ULL;

// may_hold_control - whether one of the 8 octets of `w` is below 32 or is
// DEL, eight at a time (the "has less than" and "has zero byte" tests of
// Bit Twiddling Hacks): never a false "no"; a "yes" is checked octet by
// octet
bool may_hold_control(std::uint64_t w) {
  std::uint64_t below_space = (w - kEachOctet * 0x20) & ~w & kHighBits;
  std::uint64_t del = w ^ (kEachOctet * 0x7f);
  return (below_space | ((del - kEachOctet) & ~del & kHighBits)) != 0;
}

bool is_refused(char c, bool tab_ok) { return is_control(c) && !(tab_ok && c == '\t'); }

}  // namespace

// has_control - on every command line and address: 8 octets at a time
bool has_control(std::string_view s, bool tab_ok) {
  std::size_t i = 0;
  for (; i + 8 <= s.size(); i += 8) {
    std::uint64_t w;
    std::memcpy(&w, s.data() + i, 8);
    if (!may_hold_control(w)) continue;
    for (std::size_t j = i; j < i + 8; ++j)
      if (is_refused(s[j], tab_ok)) return true;
  }
  for (; i < s.size(); ++i)
    if (is_refused(s[i], tab_ok)) return true;
  return false;
}

// replace_controls - without a branch in the loop, so that the compiler
// can do many octets at once (it runs on every reply line)
void replace_controls(std::string& s) {
  for (char& c : s) c = is_control(c) ? '?' : c;
}

bool is_ascii(std::string_view s) {
  for (char c : s)
    if (static_cast<unsigned char>(c) >= 128) return false;
  return true;
}

void lower_ascii(std::string& s) {
  for (char& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    char x = a[i], y = b[i];
    if (x >= 'A' && x <= 'Z') x = static_cast<char>(x - 'A' + 'a');
    if (y >= 'A' && y <= 'Z') y = static_cast<char>(y - 'A' + 'a');
    if (x != y) return false;
  }
  return true;
}

}  // namespace spoolgate
