// spam_fields.cc - the X-Spam-* header fields, as SpamAssassin writes them
#include "spoolgate/scan/spam_fields.h"

#include <algorithm>
#include <cmath>

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"

namespace spoolgate::scan {
namespace {

bool is_test_name(const std::string& name) {
  if (name.empty() || name.size() > kMaxTestName) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
           c == '-';
  });
}

// test_list - the names that are names, comma-separated, cut past kMaxStatusTests
std::vector<std::string> test_list(const std::vector<std::string>& tests) {
  std::vector<std::string> out;
  std::size_t total = 0;
  for (const std::string& t : tests) {
    if (!is_test_name(t)) continue;
    if (total + t.size() + 1 > kMaxStatusTests) {
      out.emplace_back("...");
      break;
    }
    total += t.size() + 1;
    out.push_back(t);
  }
  if (out.empty()) out.emplace_back("none");  // SpamAssassin's word for no hit
  return out;
}

// status_field - "X-Spam-Status: ..." folded after a comma of the test list
std::string status_field(const SpamReport& r) {
  std::string out = fmt::format("X-Spam-Status: {}, score={:.1f} required={:.1f} tests=", r.spam ? "Yes" : "No",
                                r.score, r.required);
  std::size_t column = out.size();
  std::vector<std::string> tests = test_list(r.tests);
  for (std::size_t i = 0; i < tests.size(); ++i) {
    std::string word = tests[i] + (i + 1 < tests.size() ? "," : "");
    if (column + word.size() > kFoldColumn && column > 1) {
      out += "\n\t";
      column = 1;
    }
    out += word;
    column += word.size();
  }
  return out + "\n";
}

}  // namespace

std::string render_spam_fields(const SpamReport& r) {
  double points = std::floor(r.score);
  int stars = points <= 0 ? 0 : static_cast<int>(std::min<double>(points, kMaxSpamLevelStars));
  return fmt::format("X-Spam-Flag: {}\n", r.spam ? "YES" : "NO") + status_field(r) +
         fmt::format("X-Spam-Level: {}\n", std::string(static_cast<std::size_t>(stars), '*'));
}

}  // namespace spoolgate::scan
