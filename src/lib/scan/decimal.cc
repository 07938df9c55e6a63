// decimal.cc - a decimal number as the hooks read one: "15.3", "-2.5", "30"
#include "spoolgate/scan/decimal.h"

#include <cstdint>

namespace spoolgate::scan {
namespace {

constexpr int kMaxDigits = 18;  // fits an std::uint64_t, and exactly in a double's 53 bits only below 2^53

}  // namespace

std::optional<double> parse_decimal(std::string_view text) {
  bool negative = false;
  if (!text.empty() && (text[0] == '-' || text[0] == '+')) {
    negative = text[0] == '-';
    text.remove_prefix(1);
  }
  std::uint64_t digits = 0;
  int count = 0, decimals = 0;
  bool point = false, any = false;
  for (char c : text) {
    if (c == '.' && !point) {
      point = true;
      continue;
    }
    if (c < '0' || c > '9' || ++count > kMaxDigits) return std::nullopt;
    digits = digits * 10 + static_cast<std::uint64_t>(c - '0');
    any = true;
    if (point) ++decimals;
  }
  if (!any) return std::nullopt;
  double scale = 1;
  for (int i = 0; i < decimals; ++i) scale *= 10;
  double value = static_cast<double>(digits) / scale;
  return negative ? -value : value;
}

}  // namespace spoolgate::scan
