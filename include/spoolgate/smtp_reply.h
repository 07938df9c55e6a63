// smtp_reply.h - SMTP replies: parsed from the next hop, rendered for the client
//
// DESCRIPTION
//   Reply holds one reply, single- or multi-line: its code and the text of
//   each line. parse_reply_line() checks one line as the next hop sent it
//   (three digits, then ' ', '-' or nothing). render() writes the reply for
//   the client, each line with its code, and with an enhanced status code
//   (RFC 3463) of the reply's class when the line lacks one (SPEC: "A relayed
//   reply that lacks an enhanced status code gets one of its class").
//
// SECURITY
//   Reply text from the next hop is relayed, but never a control character:
//   render() writes each line with its own CRLF and shows controls as '?',
//   so a next hop cannot add lines of its own to the client's reply stream.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spoolgate {

struct Reply {
  int code = 0;
  std::vector<std::string> lines;  ///< text after "NNN-" or "NNN ", without CRLF

  int klass() const { return code / 100; }
  bool positive() const { return klass() == 2; }
  /// The reply as CRLF-terminated lines, enhanced codes added where missing.
  std::string render() const;
  /// One line for logs: the lines joined by a space, with codes.
  std::string summary() const { return summary_of(render()); }
  /// summary() of a reply already rendered (render() once, for both).
  static std::string summary_of(std::string_view rendered);
  /// Build a local reply: "CODE ENH TEXT".
  static Reply make(int code, std::string_view enhanced, std::string_view text);
};

/// One reply line as parsed.
struct ReplyLine {
  int code = 0;
  bool more = false;  ///< "NNN-": more lines follow
  std::string_view text;
};

/// Parse one line of a reply; nullopt when it is not one.
std::optional<ReplyLine> parse_reply_line(std::string_view line);

/// Length of the enhanced status code ("X.Y.Z") at the start of `text` when
/// one is there, followed by a space or the end; else 0. The class digit
/// must be 2, 4 or 5; subject and detail 1 to 3 digits.
std::size_t enhanced_code_length(std::string_view text);

/// Length of a three-digit reply code (first digit 2-5) at the start of
/// `text`, followed by a space or the end; else 0.
std::size_t reply_code_length(std::string_view text);

}  // namespace spoolgate
