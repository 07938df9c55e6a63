// decimal_test.cc - unit tests of scan/decimal.h
#include <catch2/catch.hpp>

#include "spoolgate/scan/decimal.h"

using spoolgate::scan::parse_decimal;

TEST_CASE("parse_decimal: sign, digits, one point; the whole input", "[scan_decimal]") {
  CHECK(*parse_decimal("30") == 30.0);
  CHECK(*parse_decimal("15.3") == Approx(15.3));
  CHECK(*parse_decimal("-2.5") == -2.5);
  CHECK(*parse_decimal("+0.1") == Approx(0.1));
  CHECK(*parse_decimal("1000.0") == 1000.0);
  CHECK(*parse_decimal(".5") == 0.5);
  CHECK(*parse_decimal("5.") == 5.0);
  CHECK(*parse_decimal("-0") == 0.0);
  CHECK(*parse_decimal("123456789012345678") == Approx(123456789012345678.0));
  for (const char* bad : {"", "-", ".", "+.", "1e3", "inf", "nan", " 1", "1 ", "1.2.3", "0x10", "1,5", "--1",
                          "1234567890123456789"})
    CHECK_FALSE(parse_decimal(bad));
}
