// smtp_command.cc - the client's command lines, taken apart without side effects
#include "spoolgate/smtp_command.h"

#include <array>
#include <utility>

#include "spoolgate/text.h"

namespace spoolgate {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

constexpr std::array<std::pair<std::string_view, Verb>, 11> kVerbs{{
    {"EHLO", Verb::ehlo},
    {"HELO", Verb::helo},
    {"MAIL", Verb::mail},
    {"RCPT", Verb::rcpt},
    {"DATA", Verb::data},
    {"RSET", Verb::rset},
    {"NOOP", Verb::noop},
    {"QUIT", Verb::quit},
    {"VRFY", Verb::vrfy},
    {"HELP", Verb::help},
    {"XFORWARD", Verb::xforward},
}};

}  // namespace

const char* to_string(Verb v) {
  for (const auto& [name, verb] : kVerbs)
    if (verb == v) return name.data();
  return "unknown";
}

bool starts_with_keyword(std::string_view args, std::string_view keyword) {
  return args.size() >= keyword.size() && iequals(args.substr(0, keyword.size()), keyword);
}

// parse_command - verb up to the first space, the rest trimmed
Command parse_command(std::string_view line) {
  Command c;
  line = trim(line);
  std::size_t sp = line.find_first_of(" \t");
  c.name = line.substr(0, sp);
  c.args = sp == std::string_view::npos ? std::string_view() : trim(line.substr(sp));
  for (const auto& [name, verb] : kVerbs) {
    if (iequals(c.name, name)) {
      c.verb = verb;
      break;
    }
  }
  return c;
}

// parse_path_args - "FROM:<addr> PARAMS" with RFC 5321 quoting inside <...>
std::optional<PathArgs> parse_path_args(std::string_view args, std::string_view keyword) {
  if (!starts_with_keyword(args, keyword)) return std::nullopt;
  std::string_view s = args.substr(keyword.size());
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);  // "FROM: <a>" as Postfix takes it
  if (s.empty()) return std::nullopt;
  PathArgs out;
  std::size_t end;
  if (s.front() == '<') {
    bool quoted = false;
    std::size_t i = 1;
    for (; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\\' && i + 1 < s.size()) {
        ++i;
        continue;
      }
      if (c == '"') quoted = !quoted;
      if (c == '>' && !quoted) break;
    }
    if (i >= s.size()) return std::nullopt;
    out.address = std::string(s.substr(1, i - 1));
    end = i + 1;
    if (end < s.size() && s[end] != ' ') return std::nullopt;
  } else {
    end = s.find(' ');
    if (end == std::string_view::npos) end = s.size();
    out.address = std::string(s.substr(0, end));
  }
  if (has_control(out.address)) return std::nullopt;
  std::string_view rest = s.substr(end);
  while (!rest.empty()) {
    while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
    if (rest.empty()) break;
    std::size_t sp = rest.find(' ');
    out.params.push_back(rest.substr(0, sp));
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp);
  }
  return out;
}

// size_param - RFC 1870 SIZE=digits
std::optional<std::int64_t> size_param(const std::vector<std::string_view>& params) {
  for (std::string_view p : params) {
    if (p.size() < 5 || !iequals(p.substr(0, 5), "SIZE=")) {
      if (iequals(p, "SIZE")) return -1;
      continue;
    }
    std::string_view v = p.substr(5);
    if (v.empty() || v.size() > 18) return -1;
    std::int64_t n = 0;
    for (char c : v) {
      if (c < '0' || c > '9') return -1;
      n = n * 10 + (c - '0');
    }
    return n;
  }
  return std::nullopt;
}

}  // namespace spoolgate
