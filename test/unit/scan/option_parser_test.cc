// option_parser_test.cc - unit tests of scan/option_parser.h and each hook's options
#include "spoolgate/scan/option_parser.h"

#include <catch2/catch.hpp>

#include <vector>

#include "spoolgate/scan/clamav_hook.h"
#include "spoolgate/scan/rspamd_hook.h"
#include "spoolgate/scan/spamassassin_hook.h"

using namespace spoolgate::scan;

namespace {

bool parse(const OptionParser& p, std::vector<const char*> words) {
  words.insert(words.begin(), "hook");
  return p.parse(static_cast<int>(words.size()), words.data());
}

}  // namespace

TEST_CASE("common options: both spellings, sizes with suffixes, choices", "[scan_options]") {
  CommonOptions c;
  c.max_size = 7;
  OptionParser p;
  add_common_options(p, &c);
  CHECK(parse(p, {}));
  CHECK(c.timeout == kDefaultTimeout);
  CHECK(c.max_size == 7);
  CHECK(c.oversize == Oversize::pass);
  CHECK(parse(p, {"--timeout", "2.5", "--max-size=25M", "--oversize", "defer"}));
  CHECK(c.timeout == std::chrono::milliseconds(2500));
  CHECK(c.max_size == 25u * 1024 * 1024);
  CHECK(c.oversize == Oversize::defer);
  CHECK(parse(p, {"--max-size", "512000"}));
  CHECK(c.max_size == 512000);
  CHECK(parse(p, {"--max-size", "2k"}));
  CHECK(c.max_size == 2048);
  CHECK(parse(p, {"--max-size", "1G"}));
  CHECK(c.max_size == 1024u * 1024 * 1024);
}

TEST_CASE("bad values and words are UsageErrors that name the option", "[scan_options]") {
  CommonOptions c;
  OptionParser p;
  add_common_options(p, &c);
  auto fails = [&p](std::vector<const char*> words, const char* what) {
    CHECK_THROWS_WITH(parse(p, words), Catch::Contains(what));
  };
  fails({"--timeout", "0"}, "--timeout");
  fails({"--timeout", "-1"}, "--timeout");
  fails({"--timeout", "x"}, "--timeout");
  fails({"--timeout", "99999"}, "--timeout");
  fails({"--timeout"}, "needs a value");
  fails({"--max-size", "0"}, "--max-size");
  fails({"--max-size", "25MB"}, "--max-size");
  fails({"--max-size", "-5"}, "--max-size");
  fails({"--max-size", "99999999999999999999"}, "--max-size");
  fails({"--max-size", "2000G"}, "--max-size");
  fails({"--oversize", "reject"}, "expected pass|defer");
  fails({"--bogus", "1"}, "unknown option --bogus");
  fails({"stray"}, "unexpected argument");
  fails({"-t"}, "unexpected argument");
}

TEST_CASE("--help stops parsing; usage lists every option", "[scan_options]") {
  CommonOptions c;
  c.max_size = 123;
  OptionParser p;
  add_common_options(p, &c);
  CHECK_FALSE(parse(p, {"--help"}));
  CHECK_FALSE(parse(p, {"--timeout", "3", "-h", "--bogus"}));
  std::string u = p.usage("clamav");
  CHECK(u.rfind("usage: clamav [--timeout S] [--max-size BYTES] [--oversize pass|defer]", 0) == 0);
  CHECK_THAT(u, Catch::Contains("default 123"));
}

TEST_CASE("each hook's own options and defaults", "[scan_options]") {
  OptionParser p;
  ClamavOptions clam;
  SpamassassinOptions sa;
  RspamdOptions rs;
  SECTION("clamav") {
    add_clamav_options(p, &clam);
    CHECK(parse(p, {"--clamd", "unix:/run/c.sock", "--virus", "discard"}));
    CHECK(clam.clamd.to_string() == "unix:/run/c.sock");
    CHECK(clam.virus == Verdict::discard);
    CHECK(parse(p, {"--clamd=127.0.0.1:3310"}));
    CHECK(clam.clamd.to_string() == "127.0.0.1:3310");
    CHECK_THROWS_WITH(parse(p, {"--clamd", "nowhere"}), Catch::Contains("--clamd"));
    CHECK_THROWS_WITH(parse(p, {"--virus", "defer"}), Catch::Contains("expected reject|discard"));
  }
  SECTION("spamassassin") {
    add_spamassassin_options(p, &sa);
    CHECK_FALSE(sa.reject_score);
    CHECK(parse(p, {"--spamd", "[::1]:783", "--spam", "discard", "--reject-score", "-2.5"}));
    CHECK(sa.spamd.to_string() == "[::1]:783");
    CHECK(sa.spam == Verdict::discard);
    CHECK(*sa.reject_score == -2.5);
    CHECK_THROWS_WITH(parse(p, {"--reject-score", "lots"}), Catch::Contains("--reject-score"));
  }
  SECTION("rspamd") {
    add_rspamd_options(p, &rs);
    CHECK(parse(p, {"--rspamd", "localhost:11333", "--spam=discard"}));
    CHECK(rs.rspamd.to_string() == "localhost:11333");
    CHECK(rs.spam == Verdict::discard);
  }
}
