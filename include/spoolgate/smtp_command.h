// smtp_command.h - the client's command lines, taken apart without side effects
//
// DESCRIPTION
//   parse_command() splits a line into a verb (any letter case, as RFC 5321
//   wants and as Postfix's before-queue smtpd sends its client's own
//   "mail FROM:") and its argument text. parse_path_args() reads the
//   argument of MAIL FROM: and RCPT TO:: the address inside <...> (quoted
//   local parts and backslashes respected) or a bare address as Postfix
//   also takes, then the ESMTP parameters.
//
//   Nothing here changes the line: MAIL and RCPT go to the next hop as the
//   client sent them (SPEC), these functions only look.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/text.h"

namespace spoolgate {

enum class Verb { ehlo, helo, mail, rcpt, data, rset, noop, quit, vrfy, help, xforward, unknown };

const char* to_string(Verb v);

struct Command {
  Verb verb = Verb::unknown;
  std::string_view name;  ///< the verb as sent
  std::string_view args;  ///< the rest, leading and trailing spaces removed
};

Command parse_command(std::string_view line);

/// The argument of MAIL FROM: / RCPT TO:.
struct PathArgs {
  std::string address;                   ///< without <>; empty for "<>"
  std::vector<std::string_view> params;  ///< "KEY=VALUE" or "KEY", as sent
};

/// `keyword` is "FROM:" or "TO:" (any case in `args`). nullopt: bad syntax.
std::optional<PathArgs> parse_path_args(std::string_view args, std::string_view keyword);

/// Whether `args` begins with `keyword` in any letter case.
bool starts_with_keyword(std::string_view args, std::string_view keyword);

/// The value of the SIZE= parameter: nullopt when absent, -1 when malformed.
std::optional<std::int64_t> size_param(const std::vector<std::string_view>& params);

}  // namespace spoolgate
