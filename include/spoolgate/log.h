// log.h - where log lines go: syslog, a shared file, stderr, or nowhere
//
// DESCRIPTION
//   Like Postfix's msg_info()/msg_warn(), logging is process-wide: init()
//   once from the options, then info()/warn() anywhere. Under spawn(8),
//   stdout and stderr are the client's socket, so nothing here ever writes
//   to stdout, and stderr only with `--log stderr`.
//
//   With --log-file, each line is appended with one write(2) on an O_APPEND
//   descriptor, so that many spoolgate processes can share one file; lines
//   look like Postfix's maillog_file: "Nov 22 15:47:27 HOST spoolgate[PID]: ...".
//   A file spoolgate creates is mode 0640 whatever the umask, and when root
//   creates it for --user, it belongs to that user, so that later runs as
//   that user can write to it. A log file that cannot be opened is no reason
//   to refuse mail: log lines go to syslog instead, the first one saying why.
//
//   syslog_available() tells whether syslog can reach anything here (a
//   container may have no /dev/log: then --log syslog logs nothing, and
//   --try says so).
//
// SECURITY
//   Text from peers is made printable before it is logged (printable()).
#pragma once

#include <fmt/core.h>

#include <optional>
#include <string>
#include <string_view>

namespace spoolgate::log {

enum class Target { syslog, stderr_, none, file };

/// Who a log file that root creates is for (--user).
struct Owner {
  unsigned uid, gid;
};

/// Start logging. For Target::file, `path` is opened O_APPEND, created mode
/// 0640 (owned by `owner` when given) if missing; when it cannot be, the
/// target becomes syslog, a warning says why, and false is returned.
bool init(Target target, const std::string& path, bool verbose, std::optional<Owner> owner = std::nullopt);

/// Also send every line to syslog (a start-up failure is logged in both
/// places, SPEC).
void mirror_to_syslog();

/// Whether syslog(3) has somewhere to go (/dev/log exists).
bool syslog_available();

/// Where lines go, for --try: "syslog", "file PATH", "stderr", "none".
std::string destination();

/// Whether -v asked for the SMTP dialogue.
bool verbose();
/// Whether log lines go anywhere (not --log none).
bool enabled();

void write(int priority, std::string_view line);

template <typename... Args>
void info(fmt::format_string<Args...> f, Args&&... args) {
  write(6 /* LOG_INFO */, fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void warn(fmt::format_string<Args...> f, Args&&... args) {
  write(4 /* LOG_WARNING */, "warning: " + fmt::format(f, std::forward<Args>(args)...));
}
template <typename... Args>
void debug(fmt::format_string<Args...> f, Args&&... args) {
  if (verbose()) write(7 /* LOG_DEBUG */, fmt::format(f, std::forward<Args>(args)...));
}

/// `s` with every byte outside printable ASCII shown as '?', cut to `max`.
std::string printable(std::string_view s, std::size_t max = 512);

}  // namespace spoolgate::log
