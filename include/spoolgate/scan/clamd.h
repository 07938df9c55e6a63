// scan/clamd.h - clamd's protocol: FILDES on a UNIX socket, INSTREAM over TCP
//
// DESCRIPTION
//   clamd_scan() asks clamd to scan one message, with the commands of
//   clamd(8) in their NUL-terminated ("z") form:
//
//   - on a UNIX-domain socket, "zFILDES\0" and the message's own descriptor
//     (SCM_RIGHTS): clamd reads the file itself, no copy goes through the
//     socket, whatever the descriptor's offset;
//   - over TCP, "zINSTREAM\0" and the message in chunks, each preceded by
//     its length (4 octets, network order), ended by a zero length.
//
//   parse_clamd_reply() reads the one reply line ("stream: OK",
//   "fd[7]: Eicar-Signature FOUND", "INSTREAM size limit exceeded. ERROR"):
//   clean, a virus and its name, or too large. clamd answers "too large"
//   only for INSTREAM past its StreamMaxLength; with AlertExceedsMax it
//   reports a file past its other limits as "Heuristics.Limits.Exceeded.*
//   FOUND", also taken as too large (not a virus). Over FILDES, clamd
//   skips a file past MaxFileSize and says OK: the clamav hook's
//   --max-size must not exceed it.
//
// DIAGNOSTICS
//   Both throw DaemonError: clamd's own errors ("... ERROR"), "UNKNOWN
//   COMMAND", an empty or unparsable reply, and every I/O failure.
#pragma once

#include <chrono>
#include <functional>
#include <string>
#include <string_view>

#include "spoolgate/deadline.h"
#include "spoolgate/net.h"
#include "spoolgate/scan/message.h"

namespace spoolgate::scan {

struct ClamdResult {
  enum class Kind { clean, virus, too_large };
  Kind kind = Kind::clean;
  std::string detail;  ///< the virus name, or clamd's words on the size
};

/// One reply, its terminator (NUL or LF) included or not. Throws DaemonError.
ClamdResult parse_clamd_reply(std::string_view reply);

/// Scan `message` with the clamd at `to`. Throws DaemonError.
ClamdResult clamd_scan(const Endpoint& to, const Message& message, const Deadline& deadline,
                       std::chrono::milliseconds limit, const std::function<bool()>& keepalive = {});

}  // namespace spoolgate::scan
