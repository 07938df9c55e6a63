// clamav_hook.cc - the clamav hook: clamd's verdict as spoolgate's
#include "spoolgate/scan/clamav_hook.h"

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/scanner.h"

namespace spoolgate::scan {
namespace {

constexpr std::string_view kName = "clamav";

class Clamav : public Scanner {
 public:
  Clamav() {
    common.max_size = kClamavMaxSize;
    options_.clamd = *parse_endpoint("unix:/var/run/clamav/clamd.ctl");
  }
  std::string_view name() const override { return kName; }
  void add_options(OptionParser& parser) override { add_clamav_options(parser, &options_); }
  std::string daemon() const override { return options_.clamd.to_string(); }
  Outcome scan(const Message& message, const HookEnv& env, const Deadline& deadline) override {
    return clamav_outcome(clamd_scan(options_.clamd, message, deadline, common.timeout, keepalive), options_, common, env.mode);
  }

 private:
  ClamavOptions options_;
};

}  // namespace

void add_clamav_options(OptionParser& parser, ClamavOptions* options) {
  parser.add("clamd", "unix:PATH|HOST:PORT", "clamd's socket (default unix:/var/run/clamav/clamd.ctl)",
             [options](std::string_view v) { options->clamd = parse_daemon("--clamd", v); });
  parser.add("virus", "reject|discard", "what a virus gets (default reject)", [options](std::string_view v) {
    options->virus = parse_choice<Verdict>("--virus", v, {{"reject", Verdict::reject}, {"discard", Verdict::discard}});
  });
}

Outcome clamav_outcome(const ClamdResult& result, const ClamavOptions& options, const CommonOptions& common,
                       OutputMode mode) {
  switch (result.kind) {
    case ClamdResult::Kind::virus:
      return Outcome::of(options.virus, fmt::format("5.7.1 virus found: {}", result.detail));
    case ClamdResult::Kind::too_large:
      return unscanned(kName, common.oversize, fmt::format("clamd did not scan it: {}", result.detail));
    case ClamdResult::Kind::clean:
      break;
  }
  return Outcome::accept(mode == OutputMode::headers ? "X-Virus-Status: Clean\n" : "");
}

std::unique_ptr<Scanner> make_clamav() { return std::make_unique<Clamav>(); }

}  // namespace spoolgate::scan
