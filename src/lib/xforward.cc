// xforward.cc - XFORWARD attributes: parse, xtext-decode, choose what to forward
#include "spoolgate/xforward.h"

#include "spoolgate/smtp_command.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return out;
}

bool known_name(std::string_view name) {
  std::string_view names = kXforwardNames;
  while (!names.empty()) {
    std::size_t sp = names.find(' ');
    if (names.substr(0, sp) == name) return true;
    if (sp == std::string_view::npos) break;
    names.remove_prefix(sp + 1);
  }
  return false;
}

}  // namespace

// xtext_decode - RFC 3461: "+" HEXCHAR HEXCHAR, other octets 33..126 but "+" and "="
std::optional<std::string> xtext_decode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '+') {
      if (i + 2 >= s.size()) return std::nullopt;
      int hi = hex_value(s[i + 1]), lo = hex_value(s[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
      continue;
    }
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '=') return std::nullopt;
    out += c;
  }
  return out;
}

std::string xtext_encode(std::string_view s) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 33 || u > 126 || c == '+' || c == '=') {
      out += '+';
      out += hex[u >> 4];
      out += hex[u & 15];
    } else {
      out += c;
    }
  }
  return out;
}

// parse_xforward - every token NAME=VALUE, a known name, a valid xtext value
std::optional<std::vector<XforwardAttr>> parse_xforward(std::string_view args, std::string* error) {
  std::vector<XforwardAttr> attrs;
  while (!args.empty()) {
    while (!args.empty() && args.front() == ' ') args.remove_prefix(1);
    if (args.empty()) break;
    std::size_t sp = args.find(' ');
    std::string_view token = args.substr(0, sp);
    args = sp == std::string_view::npos ? std::string_view() : args.substr(sp);
    std::size_t eq = token.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      *error = "Bad XFORWARD attribute syntax";
      return std::nullopt;
    }
    std::string name = upper(token.substr(0, eq));
    if (!known_name(name)) {
      *error = "Bad XFORWARD attribute name";
      return std::nullopt;
    }
    auto value = xtext_decode(token.substr(eq + 1));
    if (!value) {
      *error = "Bad XFORWARD attribute value";
      return std::nullopt;
    }
    attrs.push_back(XforwardAttr{name, token, std::move(*value)});
  }
  if (attrs.empty()) {
    *error = "Syntax: XFORWARD attribute=value...";
    return std::nullopt;
  }
  return attrs;
}

// ClientInfo::apply - later values replace earlier ones, as in Postfix's smtpd
void ClientInfo::apply(const std::vector<XforwardAttr>& attrs) {
  for (const XforwardAttr& a : attrs) {
    std::string v = a.value;
    if (v == "[UNAVAILABLE]" || v == "[TEMPUNAVAIL]") v.clear();
    replace_controls(v);  // decoded xtext may hold controls; the hook gets none
    if (a.name == "NAME") name = v;
    else if (a.name == "ADDR") {
      if (v.size() > 5 && iequals(std::string_view(v).substr(0, 5), "IPV6:")) v.erase(0, 5);
      addr = v;
    } else if (a.name == "PORT") port = v;
    else if (a.name == "PROTO") proto = v;
    else if (a.name == "HELO") helo = v;
    else if (a.name == "IDENT") ident = v;
    else if (a.name == "SOURCE") source = v;
  }
}

std::string forward_line(const std::vector<XforwardAttr>& attrs, const std::vector<std::string>& announced) {
  std::string line;
  for (const XforwardAttr& a : attrs) {
    bool ok = false;
    for (const std::string& n : announced) ok = ok || iequals(n, a.name);
    if (!ok) continue;
    line += line.empty() ? "XFORWARD " : " ";
    line += a.token;
  }
  return line;
}

}  // namespace spoolgate
