// scan/decimal.h - a decimal number as the hooks read one: "15.3", "-2.5", "30"
//
// DESCRIPTION
//   parse_decimal() reads an optional sign, digits and an optional fraction
//   (SpamAssassin's scores, --reject-score, --timeout), the whole of its
//   input and nothing else: no exponent, no "inf" or "nan", no blanks, at
//   most 18 digits. It does not depend on the locale, and it is written
//   here rather than taken from std::from_chars<double> because that one
//   brings libm and libstdc++'s locale machinery into every spoolgate's
//   start-up (the scanner hooks are built into spoolgate).
#pragma once

#include <optional>
#include <string_view>

namespace spoolgate::scan {

/// The number `text` is, or nullopt.
std::optional<double> parse_decimal(std::string_view text);

}  // namespace spoolgate::scan
