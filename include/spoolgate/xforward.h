// xforward.h - XFORWARD attributes: parse, xtext-decode, choose what to forward
//
// DESCRIPTION
//   Postfix's scan client and before-queue smtpd send XFORWARD with the
//   original client's NAME, ADDR, PORT, PROTO, HELO, IDENT (the queue ID)
//   and SOURCE, values in xtext (RFC 3461 section 4). parse_xforward() checks
//   a command's attributes and decodes them; ClientInfo keeps the decoded
//   values that the hook and the log see, with Postfix's placeholders
//   [UNAVAILABLE] and [TEMPUNAVAIL] read as empty (SPEC). forward_line()
//   rebuilds the command from the original tokens, keeping only the
//   attributes the next hop announced.
//
// SEE ALSO
//   Postfix XFORWARD_README; RFC 3461 4 (xtext).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spoolgate {

/// The attribute names spoolgate announces and takes.
inline constexpr std::string_view kXforwardNames = "NAME ADDR PORT PROTO HELO IDENT SOURCE";

struct XforwardAttr {
  std::string name;       ///< upper case
  std::string_view token; ///< "NAME=value" exactly as sent
  std::string value;      ///< xtext-decoded
};

/// Decode xtext ("+2B" is '+'); nullopt when malformed.
std::optional<std::string> xtext_decode(std::string_view s);
/// Encode as xtext.
std::string xtext_encode(std::string_view s);

/// Parse "NAME=v ADDR=v ...": nullopt and `error` set on a bad attribute.
std::optional<std::vector<XforwardAttr>> parse_xforward(std::string_view args, std::string* error);

/// The original client, as XFORWARD told it; empty when unknown.
struct ClientInfo {
  std::string name, addr, port, proto, helo, ident, source;

  void apply(const std::vector<XforwardAttr>& attrs);
  void clear() { *this = ClientInfo(); }
};

/// "XFORWARD a=b ..." with the attributes in `announced` (the next hop's
/// EHLO keyword list); empty when none is left.
std::string forward_line(const std::vector<XforwardAttr>& attrs, const std::vector<std::string>& announced);

}  // namespace spoolgate
