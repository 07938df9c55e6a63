// scanner.cc - what every scanner hook does around its scan, written once
#include "spoolgate/scan/scanner.h"

#include <cstdio>

#include <fmt/core.h>

#include "spoolgate/fd.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/signals.h"

namespace spoolgate::scan {
namespace {

Outcome defer(std::string reason) { return Outcome::of(Verdict::defer, std::move(reason)); }

// judge - steps 2 and 3 of scanner.h: the size cap, then the scan
Outcome judge(Scanner& scanner, const HookEnv& env) {
  if (env.mode == OutputMode::rewrite)
    return defer(fmt::format("4.3.5 {}: hook-output rewrite is not supported: use check or headers", scanner.name()));
  Message message = Message::from_stdin();
  if (message.size() > scanner.common.max_size) {
    return unscanned(scanner.name(), scanner.common.oversize,
                     fmt::format("{} octets over --max-size {}, not scanned", message.size(), scanner.common.max_size));
  }
  Deadline deadline = Deadline::after(scanner.common.timeout);
  return scanner.scan(message, env, deadline);
}

}  // namespace

// run_scanner - every failure is a defer: never a bounce, never an unscanned accept
int run_scanner(Scanner& scanner, int argc, char** argv) {
  signals::install();  // SIGPIPE ignored; SIGTERM ends a wait with Terminated
  std::string_view name = scanner.name();
  OutputMode mode = OutputMode::check;
  Outcome outcome;
  try {
    OptionParser parser;
    add_common_options(parser, &scanner.common);
    scanner.add_options(parser);
    if (!parser.parse(argc, argv)) {
      std::fputs(parser.usage(name).c_str(), stdout);
      return exit_status(Verdict::defer);
    }
    HookEnv env = read_hook_env();
    mode = env.mode;
    outcome = judge(scanner, env);
  } catch (const UsageError& e) {
    outcome = defer(fmt::format("{}: bad usage: {}", name, e.what()));
  } catch (const DaemonError& e) {
    outcome = defer(fmt::format("{}: {}: {}", name, scanner.daemon(), e.what()));
  } catch (const Terminated& t) {
    outcome = defer(fmt::format("{}: stopped by signal {}", name, t.signal));
  } catch (const std::exception& e) {
    outcome = defer(fmt::format("{}: internal error: {}", name, e.what()));
  }
  return deliver(outcome, name, mode);
}

}  // namespace spoolgate::scan
