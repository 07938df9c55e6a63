// verdicts_test.cc - unit tests of the hooks' verdict tables and of outcome.h
#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/fd.h"
#include "spoolgate/scan/clamav_hook.h"
#include "spoolgate/scan/outcome.h"
#include "spoolgate/scan/rspamd_hook.h"
#include "spoolgate/scan/spamassassin_hook.h"

using namespace spoolgate;
using namespace spoolgate::scan;

namespace {

// Captured - stdout and stderr of deliver(), put back afterwards
struct Captured {
  int status = -1;
  std::string out, err;
};

std::string drain(int fd) {
  std::string s;
  char buf[4096];
  ::lseek(fd, 0, SEEK_SET);
  for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;) s.append(buf, static_cast<std::size_t>(n));
  return s;
}

Captured capture(const Outcome& o, OutputMode mode) {
  Fd out(::memfd_create("out", 0)), err(::memfd_create("err", 0));
  Fd saved_out(::dup(1)), saved_err(::dup(2));
  ::dup2(out.get(), 1);
  ::dup2(err.get(), 2);
  Captured c;
  c.status = deliver(o, "hook", mode);
  ::dup2(saved_out.get(), 1);
  ::dup2(saved_err.get(), 2);
  c.out = drain(out.get());
  c.err = drain(err.get());
  return c;
}

}  // namespace

TEST_CASE("deliver: exit status, stdout only for fields, REASON or note last on stderr", "[scan_verdicts]") {
  Captured c = capture(Outcome::accept("X-A: 1\n"), OutputMode::headers);
  CHECK((c.status == 0 && c.out == "X-A: 1\n" && c.err.empty()));
  c = capture(Outcome::accept("X-A: 1\n"), OutputMode::check);
  CHECK((c.status == 0 && c.out.empty() && c.err.empty()));
  c = capture(Outcome::of(Verdict::reject, "5.7.1 virus found: X"), OutputMode::headers);
  CHECK((c.status == 69 && c.out.empty() && c.err == "5.7.1 virus found: X\n"));
  CHECK(capture(Outcome::of(Verdict::discard, "d"), OutputMode::check).status == 99);
  CHECK(capture(Outcome::of(Verdict::defer, "d"), OutputMode::check).status == 75);
  Outcome big = unscanned("hook", Oversize::pass, "9 octets over --max-size 8, not scanned");
  c = capture(big, OutputMode::check);
  CHECK((c.status == 0 && c.out.empty() && c.err == "X-Spoolgate-Unscanned: hook: 9 octets over --max-size 8, not scanned\n"));
  big.fields = "X-Virus-Status: Clean\n";  // never both, but the note comes last
  c = capture(big, OutputMode::headers);
  CHECK(c.out == "X-Virus-Status: Clean\nX-Spoolgate-Unscanned: hook: 9 octets over --max-size 8, not scanned\n");
  Outcome deferred = unscanned("hook", Oversize::defer, "too big");
  CHECK(deferred.verdict == Verdict::defer);
  CHECK(deferred.reason == "4.3.4 hook: too big");
}

TEST_CASE("clamav: clean, virus, too large", "[scan_verdicts]") {
  ClamavOptions o;
  CommonOptions common;
  using K = ClamdResult::Kind;
  CHECK(clamav_outcome({K::clean, ""}, o, common, OutputMode::check).fields.empty());
  CHECK(clamav_outcome({K::clean, ""}, o, common, OutputMode::headers).fields == "X-Virus-Status: Clean\n");
  Outcome v = clamav_outcome({K::virus, "Eicar-Signature"}, o, common, OutputMode::headers);
  CHECK(v.verdict == Verdict::reject);
  CHECK(v.reason == "5.7.1 virus found: Eicar-Signature");
  o.virus = Verdict::discard;
  CHECK(clamav_outcome({K::virus, "X"}, o, common, OutputMode::check).verdict == Verdict::discard);
  Outcome big = clamav_outcome({K::too_large, "INSTREAM size limit exceeded. ERROR"}, o, common, OutputMode::check);
  CHECK(big.verdict == Verdict::accept);
  CHECK(big.unscanned == "clamd did not scan it: INSTREAM size limit exceeded. ERROR");
  common.oversize = Oversize::defer;
  CHECK(clamav_outcome({K::too_large, "x"}, o, common, OutputMode::check).verdict == Verdict::defer);
}

TEST_CASE("spamassassin: check refuses spam, headers tags it, --reject-score", "[scan_verdicts]") {
  SpamassassinOptions o;
  SpamReport spam{true, 1000.0, 5.0, {"GTUBE"}};
  SpamReport ham{false, 1.0, 5.0, {}};
  Outcome r = spamassassin_outcome(spam, o, OutputMode::check);
  CHECK(r.verdict == Verdict::reject);
  CHECK(r.reason == "5.7.1 spam: score 1000.0, required 5.0");
  CHECK(spamassassin_outcome(ham, o, OutputMode::check).verdict == Verdict::accept);
  r = spamassassin_outcome(spam, o, OutputMode::headers);
  CHECK(r.verdict == Verdict::accept);
  CHECK_THAT(r.fields, Catch::StartsWith("X-Spam-Flag: YES\n"));
  CHECK_THAT(spamassassin_outcome(ham, o, OutputMode::headers).fields, Catch::StartsWith("X-Spam-Flag: NO\n"));
  o.reject_score = 20;
  r = spamassassin_outcome(spam, o, OutputMode::headers);
  CHECK(r.verdict == Verdict::reject);
  CHECK(r.reason == "5.7.1 spam: score 1000.0, required 20.0");
  CHECK(spamassassin_outcome({true, 7.0, 5.0, {}}, o, OutputMode::check).verdict == Verdict::accept);
  o.spam = Verdict::discard;
  CHECK(spamassassin_outcome(spam, o, OutputMode::check).verdict == Verdict::discard);
}

TEST_CASE("rspamd: every action in both modes", "[scan_verdicts]") {
  RspamdOptions o;
  auto out = [&o](const char* action, OutputMode mode, std::string msg = {}) {
    return rspamd_outcome({action, 7.25, 15.0, {"SYM_A"}, std::move(msg)}, o, mode);
  };
  for (OutputMode m : {OutputMode::check, OutputMode::headers}) {
    Outcome r = out("reject", m, "Gtube pattern");
    CHECK(r.verdict == Verdict::reject);
    CHECK(r.reason == "5.7.1 spam: score 7.2, required 15.0: Gtube pattern");
    CHECK(out("quarantine", m).verdict == Verdict::reject);
    CHECK(out("discard", m).verdict == Verdict::discard);
    r = out("soft reject", m);
    CHECK(r.verdict == Verdict::defer);
    CHECK(r.reason == "4.7.1 rspamd: soft reject: score 7.2, required 15.0");
    CHECK(out("soft reject", m, "Try again later").reason == "4.7.1 Try again later");
    for (const char* a : {"no action", "greylist", "add header", "rewrite subject"}) CHECK(out(a, m).verdict == Verdict::accept);
  }
  CHECK(out("add header", OutputMode::check).fields.empty());
  CHECK_THAT(out("add header", OutputMode::headers).fields,
             Catch::StartsWith("X-Spam-Flag: YES\nX-Spam-Status: Yes, score=7.2 required=15.0 tests=SYM_A\n"));
  CHECK_THAT(out("rewrite subject", OutputMode::headers).fields, Catch::StartsWith("X-Spam-Flag: YES\n"));
  CHECK_THAT(out("greylist", OutputMode::headers).fields, Catch::StartsWith("X-Spam-Flag: NO\n"));
  CHECK_THAT(out("no action", OutputMode::headers).fields, Catch::StartsWith("X-Spam-Flag: NO\n"));
  o.spam = Verdict::discard;
  CHECK(out("reject", OutputMode::check).verdict == Verdict::discard);
}
