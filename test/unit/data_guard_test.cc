// data_guard_test.cc - unit tests of data_guard.h: the DATA latch for spool errors and the size limit
#include "spoolgate/data_guard.h"

#include <sys/resource.h>

#include <catch2/catch.hpp>

#include <csignal>
#include <string>

using namespace spoolgate;

namespace {

// feed_all - a whole DATA section through the decoder into the guard, in
// pieces of `piece` octets as reads would bring it
void feed_all(const std::string& data, DataDecoder& decoder, DataGuard& guard, std::size_t piece = 1 << 20) {
  std::string pending;
  for (std::size_t at = 0; at < data.size(); at += piece) {
    pending += data.substr(at, piece);
    pending.erase(0, decoder.feed(pending, at + piece >= data.size(), guard));
  }
  REQUIRE(decoder.done());
  REQUIRE(pending.empty());
}

}  // namespace

TEST_CASE("DataGuard: a message within the limit reaches the spools whole", "[data_guard]") {
  MessageSpools spools(SpoolConfig{"/tmp", 1 << 20}, true);
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  DataGuard guard(spools, decoder, 100);
  feed_all("a\r\n..b\r\n.\r\n", decoder, guard);
  guard.finish();
  CHECK(guard.ok());
  CHECK(spools.wire().in_memory() == std::optional<std::string_view>("a\r\n..b\r\n"));
  CHECK(spools.for_hook().size() == 5);  // "a\n.b\n"
}

TEST_CASE("DataGuard: past the limit, the rest is read but not kept", "[data_guard]") {
  MessageSpools spools(SpoolConfig{"/tmp", 1 << 20}, false);
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  DataGuard guard(spools, decoder, 10);
  std::string big;
  for (int i = 0; i < 100; ++i) big += "0123456789\r\n";
  feed_all(big + ".\r\n", decoder, guard, 24);
  guard.finish();
  CHECK(guard.too_big());
  CHECK_FALSE(guard.ok());
  CHECK(decoder.size() == 1200);     // every line was still read
  CHECK(spools.wire().size() <= 36);  // but no more kept than the read that went past the limit
}

TEST_CASE("DataGuard: a spool write error is latched, not thrown", "[data_guard]") {
  // a spool that must go to disk, in a directory that does not exist
  MessageSpools spools(SpoolConfig{"/nonexistent/spoolgate-test", 0}, false);
  DataDecoder decoder(DataDecoder::Mode::smtp_data, true);
  DataGuard guard(spools, decoder, 0);
  std::string big(200 * 1024, 'x');
  CHECK_NOTHROW(feed_all(big + "\r\n.\r\n", decoder, guard));
  CHECK_NOTHROW(guard.finish());
  CHECK_FALSE(guard.ok());
  CHECK_FALSE(guard.too_big());
  CHECK(guard.error().find("/nonexistent/spoolgate-test") != std::string::npos);
}
