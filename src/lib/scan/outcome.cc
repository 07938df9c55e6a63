// outcome.cc - a scanner hook's result, and how it is told to spoolgate
#include "spoolgate/scan/outcome.h"

#include <unistd.h>

#include <fmt/core.h>

#include "spoolgate/fd.h"

namespace spoolgate::scan {
namespace {

// say - one write per stream, so that the last line is whole; false on failure
bool say(int fd, const std::string& text) {
  if (text.empty()) return true;
  try {
    write_all(fd, text.data(), text.size(), "write");
    return true;
  } catch (const std::system_error&) {
    return false;
  }
}

std::string line(std::string_view text) { return text.empty() ? std::string() : std::string(text) + "\n"; }

}  // namespace

int exit_status(Verdict verdict) {
  switch (verdict) {
    case Verdict::accept: return 0;
    case Verdict::reject: return 69;   // EX_UNAVAILABLE: 550 5.7.1 REASON
    case Verdict::discard: return 99;  // 250 2.0.0 Ok: discarded
    case Verdict::defer: return 75;    // EX_TEMPFAIL: 451 4.7.1 REASON
  }
  return 75;
}

// unscanned - never a silent pass: the note goes with the accept
Outcome unscanned(std::string_view hook, Oversize policy, std::string why) {
  if (policy == Oversize::defer) return Outcome::of(Verdict::defer, fmt::format("4.3.4 {}: {}", hook, why));
  Outcome o;
  o.unscanned = std::move(why);
  return o;
}

// report - stdout only in headers mode and only on accept; REASON or the
// note as the last line of stderr
BuiltinOutput report(const Outcome& outcome, std::string_view hook, OutputMode mode) {
  std::string note = outcome.unscanned.empty()
                         ? std::string()
                         : fmt::format("X-Spoolgate-Unscanned: {}: {}\n", hook, outcome.unscanned);
  if (outcome.verdict != Verdict::accept) return {exit_status(outcome.verdict), {}, line(outcome.reason)};
  if (mode == OutputMode::headers) return {0, outcome.fields + note, {}};
  return {0, {}, note};
}

int write_report(const BuiltinOutput& said, std::string_view hook) {
  if (!say(1, said.out)) {
    say(2, fmt::format("{}: cannot write the header fields\n", hook));
    return exit_status(Verdict::defer);
  }
  say(2, said.err);
  return said.status;
}

int deliver(const Outcome& outcome, std::string_view hook, OutputMode mode) {
  return write_report(report(outcome, hook, mode), hook);
}

}  // namespace spoolgate::scan
