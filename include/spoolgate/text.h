// text.h - the few rules about bytes in text that several modules apply
//
// DESCRIPTION
//   is_control() is the one definition of a control character (below 32, or
//   DEL) behind every check of peer text: command lines forwarded to the
//   next hop, addresses, header fields, reply text, XFORWARD values.
//   has_control() applies it to a string (a tab may be allowed, as in header
//   fields and command arguments); replace_controls() shows each one as '?'
//   where text is relayed rather than refused. iequals() compares ASCII
//   letters without case, as SMTP keywords are compared.
#pragma once

#include <string>
#include <string_view>

namespace spoolgate {

/// Below 32 or DEL: never part of a line's text on the wire.
constexpr bool is_control(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  return u < 32 || u == 127;
}

/// Whether `s` holds a control character; a tab counts unless `tab_ok`.
bool has_control(std::string_view s, bool tab_ok = false);

/// Each control character in `s` shown as '?'.
void replace_controls(std::string& s);

/// Whether every octet is 7-bit.
bool is_ascii(std::string_view s);

/// ASCII letters to lower case, in place; other octets as they are.
void lower_ascii(std::string& s);

/// ASCII letter case ignored; other octets compared as they are.
bool iequals(std::string_view a, std::string_view b);

}  // namespace spoolgate
