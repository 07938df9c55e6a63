// fuzz_command.cc - libFuzzer target: the client's command lines (smtp_command.h, xforward.h)
//
// DESCRIPTION
//   The input is one command line as the client sent it (terminator
//   removed, so any octet may occur, CR and NUL included). It goes through
//   every parser the session runs on a line: parse_command(), then
//   parse_path_args() with "FROM:" and "TO:", size_param(), parse_xforward()
//   with ClientInfo::apply() and forward_line(), and the xtext codec.
//
//   Invariants checked, beyond "no crash, no sanitizer report":
//   - parse_command: name and args are pieces of the line (views into it,
//     args after name); the name holds no blank, args no blank at either
//     end; a known verb is exactly the name in some letter case.
//   - parse_path_args: only after the keyword; params are non-empty pieces
//     of the argument text, in order, without blanks; the address holds no
//     control character and is text of the input; "<address> params"
//     rebuilt from the result parses back to the same result.
//   - size_param: a value is the decimal value of a SIZE= parameter.
//   - parse_xforward: an error message on failure; on success every token
//     is a piece of the input, every name known and upper case, every value
//     the xtext decoding of the token's value; ClientInfo fields hold no
//     control character; forward_line() is one line of announced tokens.
//   - xtext: decode(encode(x)) == x for any x; encode() writes only
//     printable ASCII without '='; whatever decodes re-encodes and decodes
//     to the same value.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "spoolgate/smtp_command.h"
#include "spoolgate/xforward.h"

using namespace spoolgate;
using spoolgate::fuzz::show;
using spoolgate::fuzz::within;

namespace {

bool blank(char c) { return c == ' ' || c == '\t'; }

bool has_control(std::string_view s) {
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u == 127) return true;
  }
  return false;
}

// check_xtext - the codec both ways
void check_xtext(std::string_view s) {
  std::string enc = xtext_encode(s);
  for (char c : enc) {
    unsigned char u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 33 && u <= 126 && c != '=', "xtext_encode wrote " + show(enc));
  }
  auto back = xtext_decode(enc);
  FUZZ_CHECK(back && *back == s, "xtext round trip of " + show(s));
  if (auto dec = xtext_decode(s)) {
    FUZZ_CHECK(dec->size() <= s.size(), "xtext_decode grew " + show(s));
    auto again = xtext_decode(xtext_encode(*dec));
    FUZZ_CHECK(again && *again == *dec, "xtext re-encode of " + show(s));
  }
}

// check_path - parse_path_args and size_param on one argument text
void check_path(std::string_view args, std::string_view keyword) {
  auto p = parse_path_args(args, keyword);
  if (!starts_with_keyword(args, keyword)) {
    FUZZ_CHECK(!p, "path parsed without keyword: " + show(args));
    return;
  }
  if (!p) return;
  FUZZ_CHECK(!has_control(p->address), "control character in address from " + show(args));
  FUZZ_CHECK(args.find(p->address) != std::string_view::npos, "address not from the input: " + show(args));
  const char* last_end = args.data();
  for (std::string_view param : p->params) {
    FUZZ_CHECK(!param.empty(), "empty parameter from " + show(args));
    FUZZ_CHECK(within(param, args), "parameter not a piece of the input: " + show(args));
    FUZZ_CHECK(param.find(' ') == std::string_view::npos, "blank in parameter from " + show(args));
    FUZZ_CHECK(param.data() >= last_end, "parameters out of order from " + show(args));
    last_end = param.data() + param.size();
  }

  // "<address>" form: the result rebuilt with single spaces parses the same
  std::string_view after = args.substr(keyword.size());
  while (!after.empty() && after.front() == ' ') after.remove_prefix(1);
  if (!after.empty() && after.front() == '<') {
    std::string rebuilt = std::string(keyword) + "<" + p->address + ">";
    for (std::string_view param : p->params) rebuilt += " " + std::string(param);
    auto q = parse_path_args(rebuilt, keyword);
    FUZZ_CHECK(q && q->address == p->address && q->params.size() == p->params.size(),
               "rebuilt path parses differently: " + show(args) + " -> " + show(rebuilt));
    for (std::size_t i = 0; i < q->params.size(); ++i)
      FUZZ_CHECK(q->params[i] == p->params[i], "rebuilt parameter differs: " + show(rebuilt));
  }

  std::optional<std::int64_t> size = size_param(p->params);
  if (size && *size >= 0) {
    bool found = false;
    for (std::string_view param : p->params) {
      if (param.size() < 5 || !iequals(param.substr(0, 5), "SIZE=")) continue;
      std::string_view digits = param.substr(5);
      while (digits.size() > 1 && digits.front() == '0') digits.remove_prefix(1);
      found = digits == std::to_string(*size);
      break;  // the first SIZE= counts
    }
    FUZZ_CHECK(found, "size_param value not from SIZE=: " + show(args));
  }
}

// check_xforward - attributes, ClientInfo, forward_line
void check_xforward(std::string_view args) {
  std::string error;
  auto attrs = parse_xforward(args, &error);
  if (!attrs) {
    FUZZ_CHECK(!error.empty(), "parse_xforward failed without a message: " + show(args));
    return;
  }
  FUZZ_CHECK(!attrs->empty(), "parse_xforward: no attribute from " + show(args));
  const std::string_view names = kXforwardNames;
  for (const XforwardAttr& a : *attrs) {
    FUZZ_CHECK(within(a.token, args) && !a.token.empty(), "token not a piece of the input: " + show(args));
    FUZZ_CHECK(a.token.find(' ') == std::string_view::npos, "blank in token: " + show(args));
    std::size_t eq = a.token.find('=');
    FUZZ_CHECK(eq != std::string_view::npos && iequals(a.token.substr(0, eq), a.name), "name is not the token's");
    for (char c : a.name) FUZZ_CHECK(!(c >= 'a' && c <= 'z'), "name not upper case: " + show(a.name));
    bool known = false;
    for (std::size_t i = 0; i < names.size();) {
      std::size_t sp = names.find(' ', i);
      if (sp == std::string_view::npos) sp = names.size();
      known = known || names.substr(i, sp - i) == a.name;
      i = sp + 1;
    }
    FUZZ_CHECK(known, "unknown attribute taken: " + show(a.name));
    auto v = xtext_decode(a.token.substr(eq + 1));
    FUZZ_CHECK(v && *v == a.value, "value is not the token's xtext: " + show(a.token));
  }

  ClientInfo info;
  info.apply(*attrs);
  for (const std::string* f : {&info.name, &info.addr, &info.port, &info.proto, &info.helo, &info.ident, &info.source})
    FUZZ_CHECK(!has_control(*f), "control character kept for the hook: " + show(*f));

  const std::vector<std::vector<std::string>> announced = {
      {}, {"NAME", "ADDR", "PORT", "PROTO", "HELO", "IDENT", "SOURCE"}, {"addr", "Helo"}};
  for (const auto& list : announced) {
    std::string line = forward_line(*attrs, list);
    if (line.empty()) continue;
    FUZZ_CHECK(line.rfind("XFORWARD ", 0) == 0, "forward_line: " + show(line));
    FUZZ_CHECK(line.find_first_of("\r\n") == std::string::npos, "forward_line holds a line end: " + show(line));
    std::string_view rest = std::string_view(line).substr(9);
    while (!rest.empty()) {
      std::size_t sp = rest.find(' ');
      std::string_view token = rest.substr(0, sp);
      std::string_view name = token.substr(0, token.find('='));
      bool ok = false;
      for (const std::string& n : list) ok = ok || iequals(n, name);
      FUZZ_CHECK(ok, "forward_line sent an attribute not announced: " + show(line));
      rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view line(reinterpret_cast<const char*>(data), size);

  Command c = parse_command(line);
  FUZZ_CHECK(within(c.name, line) && within(c.args, line), "parse_command result not a piece of the line");
  FUZZ_CHECK(c.name.find_first_of(" \t") == std::string_view::npos, "blank in verb: " + show(line));
  FUZZ_CHECK(c.args.empty() || (!blank(c.args.front()) && !blank(c.args.back())), "args not trimmed: " + show(line));
  FUZZ_CHECK(c.args.empty() || c.args.data() > c.name.data() + c.name.size(), "args not after the verb: " + show(line));
  std::size_t first = line.find_first_not_of(" \t");
  FUZZ_CHECK(c.name.empty() == (first == std::string_view::npos), "empty verb from a non-blank line: " + show(line));
  if (c.verb != Verb::unknown) {
    FUZZ_CHECK(iequals(c.name, to_string(c.verb)), "verb does not match its name: " + show(line));
  } else {
    for (const char* v : {"EHLO", "HELO", "MAIL", "RCPT", "DATA", "RSET", "NOOP", "QUIT", "VRFY", "HELP", "XFORWARD"})
      FUZZ_CHECK(!iequals(c.name, v), "known verb not recognized: " + show(line));
  }

  for (std::string_view args : {line, c.args}) {
    check_path(args, "FROM:");
    check_path(args, "TO:");
    check_xforward(args);
  }
  check_xtext(line);
  return 0;
}
