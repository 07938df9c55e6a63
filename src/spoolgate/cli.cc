// cli.cc - from argv to an exit status: the program around the session
#include "cli.h"

#include <unistd.h>

#include <fmt/core.h>

#include "spoolgate/fd.h"
#include "spoolgate/log.h"
#include "spoolgate/options.h"
#include "spoolgate/pipe_mode.h"
#include "spoolgate/privileges.h"
#include "spoolgate/server_session.h"
#include "spoolgate/signals.h"
#include "spoolgate/sysexits.h"
#include "spoolgate_version.h"

namespace spoolgate {
namespace {

// say - one line on stderr; under spawn(8) it reaches the peer, which is
// why nothing here ever looks like an SMTP reply
void say(const std::string& text) {
  std::string line = "spoolgate: " + text + "\n";
  (void)!::write(2, line.data(), line.size());
}

void print(const std::string& text) { (void)!::write(1, text.data(), text.size()); }

}  // namespace

int run_cli(int argc, const char* const* argv) {
  // before anything is opened: a closed stdin, stdout or stderr would be
  // taken by the next descriptor (the log file, the next hop's socket)
  if (!open_missing_std_fds()) return kExTempFail;
  Options opts;
  try {
    opts = parse_options(argc, argv);
  } catch (const UsageError& e) {
    say(fmt::format("bad usage: {} (try --help)", e.what()));
    return kExUsage;
  }
  if (opts.help) {
    print(usage_text());
    return 0;
  }
  if (opts.version) {
    print(fmt::format("spoolgate {}\n", SPOOLGATE_VERSION));
    return 0;
  }
  try {
    // the log file is opened first, so that root can give it to --user
    log::init(opts.log_target, opts.log_file, opts.verbose);
  } catch (const std::exception& e) {
    say(fmt::format("cannot log: {}", e.what()));
    return kExConfig;
  }
  try {
    drop_privileges(opts.user);
  } catch (const PrivilegeError& e) {
    log::warn("{}", e.what());
    say(e.what());
    return kExConfig;
  }
  signals::install();
  if (opts.pipe) return run_pipe(opts);
  try {
    ServerSession session(opts, 0, 1);
    return session.run();
  } catch (const std::exception& e) {
    log::warn("cannot start: {}", e.what());
    return kExTempFail;
  }
}

}  // namespace spoolgate
