// reason.h - REASON: the hook's last words, made safe to put in a reply
//
// DESCRIPTION
//   LastLine reads what the hook writes, as it comes, and keeps the last
//   line that is not empty once reduced to printable ASCII (tabs become
//   spaces, other controls and 8-bit octets go, leading and trailing blanks
//   go), cut to kMaxReasonChars. It keeps only that much, however much the
//   hook writes.
//
//   reason_reply() makes the reply: when REASON begins with a reply code
//   and/or an enhanced status code of the verdict's own class (5xx / 5.x.x
//   on reject, 4xx / 4.x.x on defer), they replace the defaults; a code of
//   another class is dropped (SPEC "REASON"). A 421 is dropped too: it
//   would tell the client that the session closes, and it does not.
//
// SECURITY
//   A REASON holds no CR, LF or other control: it can never add a line to
//   the reply stream.
#pragma once

#include <string>
#include <string_view>

#include "spoolgate/smtp_reply.h"

namespace spoolgate {

class LastLine {
 public:
  void feed(std::string_view bytes);
  /// End of output: an unterminated last line counts.
  void finish() { end_line(); }
  /// The last non-empty line; empty when there was none.
  const std::string& last() const { return last_; }

 private:
  void end_line();
  std::string current_;
  std::string last_;
};

/// The reply for a reject (class 5) or defer (class 4) with this REASON.
Reply reason_reply(std::string_view reason, int klass, int default_code, std::string_view default_enhanced,
                   std::string_view default_text);

}  // namespace spoolgate
