// reason.cc - REASON: the hook's last words, made safe to put in a reply
#include "spoolgate/reason.h"

#include "spoolgate/bounds.h"

namespace spoolgate {

// LastLine::feed - sanitize as we go; keep at most kMaxReasonChars of a line
void LastLine::feed(std::string_view bytes) {
  for (char c : bytes) {
    if (c == '\n') {
      end_line();
      continue;
    }
    if (c == '\t') c = ' ';
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 32 || u > 126) continue;
    if (c == ' ' && current_.empty()) continue;
    if (current_.size() < kMaxReasonChars) current_ += c;
  }
}

void LastLine::end_line() {
  while (!current_.empty() && current_.back() == ' ') current_.pop_back();
  if (!current_.empty()) last_ = std::move(current_);
  current_.clear();
}

// reason_reply - codes of the verdict's class replace the defaults
Reply reason_reply(std::string_view reason, int klass, int default_code, std::string_view default_enhanced,
                   std::string_view default_text) {
  int code = default_code;
  std::string enhanced(default_enhanced);
  auto skip_blanks = [&] {
    while (!reason.empty() && reason.front() == ' ') reason.remove_prefix(1);
  };
  skip_blanks();
  if (std::size_t n = reply_code_length(reason)) {
    // a 421 means "closing the connection": not what a verdict says
    if (reason[0] - '0' == klass && reason.substr(0, 3) != "421") code = std::stoi(std::string(reason.substr(0, n)));
    reason.remove_prefix(n);
    skip_blanks();
  }
  if (std::size_t n = enhanced_code_length(reason)) {
    if (reason[0] - '0' == klass) enhanced = std::string(reason.substr(0, n));
    reason.remove_prefix(n);
    skip_blanks();
  }
  return Reply::make(code, enhanced, reason.empty() ? default_text : reason);
}

}  // namespace spoolgate
