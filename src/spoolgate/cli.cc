// cli.cc - from argv to an exit status: the program around the session
#include "cli.h"

#include <unistd.h>

#include <fmt/core.h>

#include <string_view>

#include "spoolgate/bounds.h"
#include "spoolgate/fd.h"
#include "spoolgate/log.h"
#include "spoolgate/name_services.h"
#include "spoolgate/options.h"
#include "spoolgate/pipe_mode.h"
#include "spoolgate/privileges.h"
#include "spoolgate/scan/builtins.h"
#include "spoolgate/server_session.h"
#include "spoolgate/signals.h"
#include "spoolgate/sysexits.h"
#include "spoolgate/try_mode.h"
#include "spoolgate_version.h"

namespace spoolgate {
namespace {

void print(int fd, const std::string& text) { (void)!::write(fd, text.data(), text.size()); }

/// Where a failure to start can be told, decided before the options are
/// read (they may be what failed).
struct StartupTarget {
  bool pipe = false;    ///< --pipe: pipe(8) reads a status line on stdout
  bool socket = false;  ///< stdin a socket (spawn, inetd, systemd): only SMTP
};

StartupTarget startup_target(int argc, const char* const* argv) {
  StartupTarget t;
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) t.pipe = t.pipe || std::string_view(argv[i]) == "--pipe";
  t.socket = !t.pipe && is_socket(0);
  return t;
}

// refuse_to_start - SPEC: the whole cause is logged (syslog, and the log
// file where it can be opened); on a socket the client gets nothing but a
// 421 greeting; --pipe exits 75 with a 4.3.5 line, since pipe(8) bounces
// 64 and 78; a person at a terminal reads it on stderr
int refuse_to_start(const StartupTarget& t, int status, const std::string& cause, const std::string& log_file) {
  if (!log_file.empty()) log::init(log::Target::file, log_file, false);
  else log::init(log::Target::syslog, "", false);
  log::mirror_to_syslog();
  log::write(3 /* LOG_ERR */, "fatal: " + cause);
  std::string shown = log::printable(cause, kMaxReasonChars);
  if (t.pipe) {
    print(1, fmt::format("4.3.5 spoolgate: {}\n", shown));
    return kExTempFail;
  }
  if (t.socket) {
    print(1, fmt::format("421 4.3.5 spoolgate: {}\r\n", shown));
    return status;
  }
  print(2, fmt::format("spoolgate: {}{}\n", cause, status == kExUsage ? " (try --help)" : ""));
  return status;
}

// start_logging - as the options say; root opens the log file before it
// becomes --user, and gives a new file to that user
void start_logging(const Options& opts) {
  std::optional<log::Owner> owner;
  if (auto ids = ids_for(opts.user)) owner = log::Owner{ids->first, ids->second};
  log::init(opts.log_target, opts.log_file, opts.verbose, owner);
  if (!opts.config_file.empty() && opts.filter.hooks.empty())
    log::warn("no hook configured in {}: every message passes unfiltered", opts.config_file);
}

}  // namespace

int run_cli(int argc, const char* const* argv) {
  // before anything is opened: a closed stdin, stdout or stderr would be
  // taken by the next descriptor (the log file, the next hop's socket)
  if (!open_missing_std_fds()) return kExTempFail;
#ifdef SPOOLGATE_STATIC_PIE
  use_builtin_name_services();  // before any lookup: name_services.h says why
#endif
  register_builtin_hooks(scan::scanner_builtins());
  const StartupTarget target = startup_target(argc, argv);
  Options opts;
  try {
    opts = parse_options(argc, argv);
  } catch (const UsageError& e) {
    return refuse_to_start(target, kExUsage, fmt::format("bad usage: {}", e.what()), log_file_hint(argc, argv));
  }
  if (opts.help || opts.version) {
    print(1, opts.help ? usage_text() : fmt::format("spoolgate {}\n", SPOOLGATE_VERSION));
    return kExOk;
  }
  start_logging(opts);
  try {
    drop_privileges(opts.user);
  } catch (const PrivilegeError& e) {
    return refuse_to_start(target, kExConfig, e.what(), opts.log_file);
  }
  signals::install();
  if (opts.pipe) return run_pipe(opts);
  if (opts.try_mode) return run_try(opts);
  try {
    ServerSession session(opts, 0, 1);
    return session.run();
  } catch (const std::exception& e) {
    log::warn("cannot start: {}", e.what());
    return kExTempFail;
  }
}

}  // namespace spoolgate
