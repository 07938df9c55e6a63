// spamassassin_hook.cc - the spamassassin hook: spamd's score as spoolgate's verdict
#include "spoolgate/scan/spamassassin_hook.h"

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/scanner.h"
#include "spoolgate/scan/spamd.h"

namespace spoolgate::scan {
namespace {

class Spamassassin : public Scanner {
 public:
  Spamassassin() {
    common.max_size = kSpamassassinMaxSize;
    options_.spamd = *parse_endpoint("127.0.0.1:783");
  }
  std::string_view name() const override { return "spamassassin"; }
  void add_options(OptionParser& parser) override { add_spamassassin_options(parser, &options_); }
  std::string daemon() const override { return options_.spamd.to_string(); }
  Outcome scan(const Message& message, const HookEnv& env, const Deadline& deadline) override {
    return spamassassin_outcome(spamd_check(options_.spamd, message, env, deadline, common.timeout, keepalive), options_, env.mode);
  }

 private:
  SpamassassinOptions options_;
};

}  // namespace

void add_spamassassin_options(OptionParser& parser, SpamassassinOptions* options) {
  parser.add("spamd", "HOST:PORT|unix:PATH", "spamd's address (default 127.0.0.1:783)",
             [options](std::string_view v) { options->spamd = parse_daemon("--spamd", v); });
  parser.add("spam", "reject|discard", "what spam over the reject level gets (default reject)",
             [options](std::string_view v) {
               options->spam = parse_choice<Verdict>("--spam", v, {{"reject", Verdict::reject}, {"discard", Verdict::discard}});
             });
  parser.add("reject-score", "S", "refuse at this score (check mode: instead of spamd's required score)",
             [options](std::string_view v) { options->reject_score = parse_score("--reject-score", v); });
}

// spamassassin_outcome - check mode refuses spam; headers mode tags it, and
// refuses only past --reject-score
Outcome spamassassin_outcome(const SpamReport& report, const SpamassassinOptions& options, OutputMode mode) {
  bool refuse = options.reject_score ? report.score >= *options.reject_score : mode != OutputMode::headers && report.spam;
  if (refuse) {
    double level = options.reject_score ? *options.reject_score : report.required;
    return Outcome::of(options.spam, fmt::format("5.7.1 spam: score {:.1f}, required {:.1f}", report.score, level));
  }
  return Outcome::accept(mode == OutputMode::headers ? render_spam_fields(report) : "");
}

std::unique_ptr<Scanner> make_spamassassin() { return std::make_unique<Spamassassin>(); }

}  // namespace spoolgate::scan
