// text.cc - the few rules about bytes in text that several modules apply
#include "spoolgate/text.h"

namespace spoolgate {

bool has_control(std::string_view s, bool tab_ok) {
  for (char c : s)
    if (is_control(c) && !(tab_ok && c == '\t')) return true;
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
