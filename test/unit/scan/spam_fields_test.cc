// spam_fields_test.cc - unit tests of scan/spam_fields.h: the X-Spam-* fields
#include "spoolgate/scan/spam_fields.h"

#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "spoolgate/header_block.h"
#include "spoolgate/scan/bounds.h"

using namespace spoolgate::scan;

TEST_CASE("clean and spam, as SpamAssassin writes them", "[spam_fields]") {
  CHECK(render_spam_fields({false, 1.04, 5.0, {"MISSING_MID", "NO_RELAYS"}}) ==
        "X-Spam-Flag: NO\n"
        "X-Spam-Status: No, score=1.0 required=5.0 tests=MISSING_MID,NO_RELAYS\n"
        "X-Spam-Level: *\n");
  CHECK(render_spam_fields({true, 1000.0, 5.0, {"GTUBE"}}) ==
        "X-Spam-Flag: YES\n"
        "X-Spam-Status: Yes, score=1000.0 required=5.0 tests=GTUBE\n"
        "X-Spam-Level: " + std::string(kMaxSpamLevelStars, '*') + "\n");
}

TEST_CASE("no test, a negative score, names that are not names", "[spam_fields]") {
  CHECK(render_spam_fields({false, -2.5, 5.0, {}}) ==
        "X-Spam-Flag: NO\nX-Spam-Status: No, score=-2.5 required=5.0 tests=none\nX-Spam-Level: \n");
  std::string f = render_spam_fields({false, 0.0, 5.0, {"OK_1", "bad name", "", "x\ny", std::string(200, 'A'), "R.B-L"}});
  CHECK_THAT(f, Catch::Contains("tests=OK_1,R.B-L\n"));
}

TEST_CASE("a long test list is folded and stays a valid header block", "[spam_fields]") {
  std::vector<std::string> tests;
  for (int i = 0; i < 40; ++i) tests.push_back("HFILTER_SOME_RULE_" + std::to_string(i));
  std::string f = render_spam_fields({true, 7.7, 15.0, tests});
  std::istringstream lines(f);
  std::string line;
  int continuation = 0;
  while (std::getline(lines, line)) {
    CHECK(line.size() <= kFoldColumn);
    if (line[0] == '\t') ++continuation;
  }
  CHECK(continuation > 5);
  CHECK_THAT(f, Catch::Contains("HFILTER_SOME_RULE_39\nX-Spam-Level: *******\n"));
  std::string error;
  CHECK(spoolgate::header_block_to_wire(f, &error));
}

TEST_CASE("the test list is cut past its bound", "[spam_fields]") {
  std::vector<std::string> tests(2000, std::string(20, 'T'));
  std::string f = render_spam_fields({true, 9.0, 5.0, tests});
  CHECK(f.size() < kMaxStatusTests + 1024);
  CHECK_THAT(f, Catch::Contains(",...\nX-Spam-Level:"));
}
