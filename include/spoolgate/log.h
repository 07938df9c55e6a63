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
//
// SECURITY
//   Text from peers is made printable before it is logged (printable()).
#pragma once

#include <fmt/core.h>

#include <string>
#include <string_view>

namespace spoolgate::log {

enum class Target { syslog, stderr_, none, file };

/// Start logging. For Target::file, `path` is opened O_APPEND|O_CREAT; a
/// failure is thrown as std::system_error.
void init(Target target, const std::string& path, bool verbose);

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
