// rspamd_hook.cc - the rspamd hook: rspamd's action as spoolgate's verdict
#include "spoolgate/scan/rspamd_hook.h"

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/scanner.h"
#include "spoolgate/scan/spam_fields.h"

namespace spoolgate::scan {
namespace {

class Rspamd : public Scanner {
 public:
  Rspamd() {
    common.max_size = kRspamdMaxSize;
    options_.rspamd = *parse_endpoint("127.0.0.1:11333");
  }
  std::string_view name() const override { return "rspamd"; }
  void add_options(OptionParser& parser) override { add_rspamd_options(parser, &options_); }
  std::string daemon() const override { return options_.rspamd.to_string(); }
  Outcome scan(const Message& message, const HookEnv& env, const Deadline& deadline) override {
    return rspamd_outcome(rspamd_check(options_.rspamd, message, env, deadline, common.timeout, keepalive), options_, env.mode);
  }

 private:
  RspamdOptions options_;
};

// with_words - REASON, and rspamd's own words for the client after it
std::string with_words(std::string reason, const std::string& smtp_message) {
  return smtp_message.empty() ? reason : reason + ": " + smtp_message;
}

}  // namespace

void add_rspamd_options(OptionParser& parser, RspamdOptions* options) {
  parser.add("rspamd", "HOST:PORT", "rspamd's normal worker (default 127.0.0.1:11333)",
             [options](std::string_view v) { options->rspamd = parse_daemon("--rspamd", v); });
  parser.add("spam", "reject|discard", "what rspamd's reject action gets (default reject)",
             [options](std::string_view v) {
               options->spam = parse_choice<Verdict>("--spam", v, {{"reject", Verdict::reject}, {"discard", Verdict::discard}});
             });
}

// rspamd_outcome - the table of rspamd_hook.h
Outcome rspamd_outcome(const RspamdResult& r, const RspamdOptions& options, OutputMode mode) {
  std::string score = fmt::format("score {:.1f}, required {:.1f}", r.score, r.required);
  if (r.action == "reject" || r.action == "quarantine")
    return Outcome::of(options.spam, with_words(fmt::format("5.7.1 spam: {}", score), r.smtp_message));
  if (r.action == "discard") return Outcome::of(Verdict::discard, with_words("rspamd: discard: " + score, r.smtp_message));
  if (r.action == "soft reject")
    return Outcome::of(Verdict::defer, r.smtp_message.empty() ? "4.7.1 rspamd: soft reject: " + score
                                                              : "4.7.1 " + r.smtp_message);
  if (mode != OutputMode::headers) return Outcome::accept();
  bool spam = r.action == "add header" || r.action == "rewrite subject";
  return Outcome::accept(render_spam_fields({spam, r.score, r.required, r.symbols}));
}

std::unique_ptr<Scanner> make_rspamd() { return std::make_unique<Rspamd>(); }

}  // namespace spoolgate::scan
