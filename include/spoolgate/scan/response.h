// scan/response.h - a daemon's reply in the HTTP shape: status line, fields, body
//
// DESCRIPTION
//   spamd (SPAMD/1.1) and rspamd (HTTP/1.1) both answer with a status line,
//   header fields, an empty line and a body of Content-length octets. This
//   module splits such a reply, once, for both. Lines end in CRLF (a bare
//   LF is taken too); field names are matched in any letter case.
//   response_complete() tells a reader when a reply is whole, so that it
//   need not wait for the daemon to close.
//
// DIAGNOSTICS
//   parse_response() throws DaemonError for a reply without an empty line
//   after its head, a head line over kMaxReplyHeadLine, more than
//   kMaxReplyHeadFields fields, a field without a colon, a Content-length
//   that is not a number, or a body shorter than it ("truncated reply").
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spoolgate::scan {

struct Response {
  std::string status_line;
  std::vector<std::pair<std::string, std::string>> fields;
  std::string body;
  /// The value of the first field named `name`, or nullptr.
  const std::string* field(std::string_view name) const;
};

/// Split a whole reply. Throws DaemonError.
Response parse_response(std::string_view reply);

/// True when `received` holds a head and, if it has a Content-length, that
/// many octets of body. Without Content-length the reply ends at close.
bool response_complete(std::string_view received);

}  // namespace spoolgate::scan
