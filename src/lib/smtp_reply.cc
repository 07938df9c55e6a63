// smtp_reply.cc - SMTP replies: parsed from the next hop, rendered for the client
#include "spoolgate/smtp_reply.h"

#include <fmt/core.h>

#include "spoolgate/text.h"

namespace spoolgate {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// append_code - "NNN", as fmt's {:03d} would write it (a reply's code
// has three digits; render() runs on every reply relayed)
void append_code(std::string& out, int code) {
  if (code < 0 || code > 999) {
    out += fmt::format("{:03d}", code);
    return;
  }
  out += static_cast<char>('0' + code / 100);
  out += static_cast<char>('0' + code / 10 % 10);
  out += static_cast<char>('0' + code % 10);
}

// clean - a reply line's text with control characters shown as '?'
std::string clean(std::string_view text) {
  std::string out(text);
  replace_controls(out);
  return out;
}

}  // namespace

// reply_code_length - "250" or "250 ..." at the start of text
std::size_t reply_code_length(std::string_view text) {
  if (text.size() < 3) return 0;
  if (text[0] < '2' || text[0] > '5' || !is_digit(text[1]) || !is_digit(text[2])) return 0;
  if (text.size() > 3 && text[3] != ' ') return 0;
  return 3;
}

// enhanced_code_length - "X.Y.Z" (RFC 3463) at the start of text
std::size_t enhanced_code_length(std::string_view text) {
  if (text.size() < 5) return 0;
  if (text[0] != '2' && text[0] != '4' && text[0] != '5') return 0;
  if (text[1] != '.') return 0;
  std::size_t i = 2;
  for (int part = 0; part < 2; ++part) {
    std::size_t digits = 0;
    while (i < text.size() && is_digit(text[i]) && digits < 4) ++i, ++digits;
    if (digits == 0 || digits > 3) return 0;
    if (part == 0) {
      if (i >= text.size() || text[i] != '.') return 0;
      ++i;
    }
  }
  if (i < text.size() && text[i] != ' ') return 0;
  return i;
}

// parse_reply_line - "NNN", "NNN text" or "NNN-text"
std::optional<ReplyLine> parse_reply_line(std::string_view line) {
  if (line.size() < 3 || !is_digit(line[0]) || !is_digit(line[1]) || !is_digit(line[2]))
    return std::nullopt;
  if (line[0] < '1' || line[0] > '5') return std::nullopt;
  ReplyLine r;
  r.code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
  if (line.size() == 3) return r;
  if (line[3] == '-') {
    r.more = true;
  } else if (line[3] != ' ') {
    return std::nullopt;
  }
  r.text = line.substr(4);
  return r;
}

Reply Reply::make(int code, std::string_view enhanced, std::string_view text) {
  Reply r;
  r.code = code;
  r.lines.push_back(enhanced.empty() ? std::string(text) : fmt::format("{} {}", enhanced, text));
  return r;
}

// render - every line with its code; an enhanced code of the class where missing
std::string Reply::render() const {
  std::string out;
  const char* fallback = klass() == 2 ? "2.0.0" : klass() == 4 ? "4.0.0" : klass() == 5 ? "5.0.0" : "";
  std::size_t n = lines.empty() ? 1 : lines.size();
  for (std::size_t i = 0; i < n; ++i) {
    std::string_view text = lines.empty() ? std::string_view() : std::string_view(lines[i]);
    append_code(out, code);
    out += i + 1 < n ? '-' : ' ';
    std::size_t enh = enhanced_code_length(text);
    bool own_class = enh > 0 && text[0] - '0' == klass();
    if (*fallback && !own_class) {
      out += fallback;
      if (enh > 0) text.remove_prefix(enh);  // a code of another class is replaced
      while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
      if (!text.empty()) out += ' ';
    }
    out += clean(text);
    out += "\r\n";
  }
  return out;
}

std::string Reply::summary_of(std::string_view rendered) {
  std::string out;
  out.reserve(rendered.size());
  for (char c : rendered) {
    if (c == '\r') continue;
    out += c == '\n' ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace spoolgate
