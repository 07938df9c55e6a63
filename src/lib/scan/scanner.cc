// scanner.cc - what every scanner hook does around its scan, written once
#include "spoolgate/scan/scanner.h"

#include <cstring>

#include <fmt/core.h>

#include "spoolgate/fd.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/signals.h"

namespace spoolgate::scan {
namespace {

Outcome defer(std::string reason) { return Outcome::of(Verdict::defer, std::move(reason)); }

// judge - steps 2 and 3 of scanner.h: the size cap, then the scan, under
// the earlier of --timeout and `cap`
Outcome judge(Scanner& scanner, const HookEnv& env, int message_fd, const Deadline& cap) {
  if (env.mode == OutputMode::rewrite)
    return defer(fmt::format("4.3.5 {}: hook-output rewrite is not supported: use check or headers", scanner.name()));
  Message message = Message::from_fd(message_fd);
  if (message.size() > scanner.common.max_size) {
    return unscanned(scanner.name(), scanner.common.oversize,
                     fmt::format("{} octets over --max-size {}, not scanned", message.size(), scanner.common.max_size));
  }
  Deadline deadline = Deadline::earliest(Deadline::after(scanner.common.timeout), cap);
  return scanner.scan(message, env, deadline);
}

// answer - the hook from its command line to what it says; every failure a
// defer but Terminated and NextHopLost, which pass (scanner.h)
BuiltinOutput answer(Scanner& scanner, int argc, char** argv, const std::function<const char*(const char*)>& getenv,
                     int message_fd, const Deadline& cap) {
  std::string_view name = scanner.name();
  OutputMode mode = OutputMode::check;
  Outcome outcome;
  try {
    OptionParser parser;
    add_common_options(parser, &scanner.common);
    scanner.add_options(parser);
    if (!parser.parse(argc, argv)) return {exit_status(Verdict::defer), parser.usage(name), {}};
    HookEnv env = read_hook_env(getenv);
    mode = env.mode;
    outcome = judge(scanner, env, message_fd, cap);
  } catch (const UsageError& e) {
    outcome = defer(fmt::format("{}: bad usage: {}", name, e.what()));
  } catch (const DaemonError& e) {
    outcome = defer(fmt::format("{}: {}: {}", name, scanner.daemon(), e.what()));
  } catch (const NextHopLost&) {
    throw;
  } catch (const std::exception& e) {
    outcome = defer(fmt::format("{}: internal error: {}", name, e.what()));
  }
  return report(outcome, name, mode);
}

}  // namespace

// run_scanner - every failure is a defer: never a bounce, never an unscanned accept
int run_scanner(Scanner& scanner, int argc, char** argv) {
  signals::install();  // SIGPIPE ignored; SIGTERM ends a wait with Terminated
  BuiltinOutput said;
  try {
    said = answer(scanner, argc, argv, ::getenv, 0, Deadline::never());
  } catch (const Terminated& t) {
    said = report(defer(fmt::format("{}: stopped by signal {}", scanner.name(), t.signal)), scanner.name(),
                  OutputMode::check);
  }
  return write_report(said, scanner.name());
}

// run_builtin - the program's argv and environment, given instead of inherited
BuiltinOutput run_builtin(Scanner& scanner, const BuiltinInput& in) {
  std::vector<char*> argv;
  for (const std::string& a : in.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  auto getenv = [&in](const char* name) -> const char* {
    std::size_t n = std::strlen(name);
    for (const std::string& e : in.env)
      if (e.size() > n && e[n] == '=' && e.compare(0, n, name) == 0) return e.c_str() + n + 1;
    return nullptr;
  };
  scanner.keepalive = in.keepalive;
  return answer(scanner, static_cast<int>(in.argv.size()), argv.data(), getenv, in.message_fd, in.deadline);
}

}  // namespace spoolgate::scan
