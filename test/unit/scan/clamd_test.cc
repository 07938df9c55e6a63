// clamd_test.cc - unit tests of scan/clamd.h: clamd's replies
#include "spoolgate/scan/clamd.h"

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/scan/daemon_conn.h"

using namespace spoolgate::scan;
using namespace std::string_literals;
using Kind = ClamdResult::Kind;

TEST_CASE("clean, with either terminator or none", "[clamd]") {
  CHECK(parse_clamd_reply("stream: OK\0"s).kind == Kind::clean);
  CHECK(parse_clamd_reply("fd[12]: OK\n").kind == Kind::clean);
  CHECK(parse_clamd_reply("/tmp/x: OK").kind == Kind::clean);
}

TEST_CASE("a virus and its name", "[clamd]") {
  ClamdResult r = parse_clamd_reply("stream: Eicar-Signature FOUND\0"s);
  CHECK(r.kind == Kind::virus);
  CHECK(r.detail == "Eicar-Signature");
  r = parse_clamd_reply("fd[5]: Spoolgate.Test.EICAR-Body.UNOFFICIAL FOUND\0"s);
  CHECK(r.kind == Kind::virus);
  CHECK(r.detail == "Spoolgate.Test.EICAR-Body.UNOFFICIAL");
  r = parse_clamd_reply("stream: Bad\r\nName FOUND\0"s);
  CHECK(r.detail == "BadName");  // no control character reaches REASON
}

TEST_CASE("too large: StreamMaxLength, and AlertExceedsMax's heuristics", "[clamd]") {
  ClamdResult r = parse_clamd_reply("INSTREAM size limit exceeded. ERROR\0"s);
  CHECK(r.kind == Kind::too_large);
  CHECK(r.detail == "INSTREAM size limit exceeded. ERROR");
  r = parse_clamd_reply("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND\0"s);
  CHECK(r.kind == Kind::too_large);
}

TEST_CASE("clamd's errors and garbage are DaemonErrors", "[clamd]") {
  CHECK_THROWS_WITH(parse_clamd_reply("fd[5]: lstat() failed: No such file. ERROR\0"s),
                    Catch::StartsWith("clamd error: fd[5]: lstat() failed"));
  CHECK_THROWS_WITH(parse_clamd_reply("UNKNOWN COMMAND\0"s), Catch::StartsWith("garbage reply"));
  CHECK_THROWS_WITH(parse_clamd_reply(""), Catch::Contains("without a reply"));
  CHECK_THROWS_WITH(parse_clamd_reply("\0"s), Catch::Contains("without a reply"));
  CHECK_THROWS_WITH(parse_clamd_reply("HTTP/1.1 200 OK\r\n"), Catch::StartsWith("garbage reply"));
  CHECK_THROWS_WITH(parse_clamd_reply("stream: Eicar-Sig"), Catch::StartsWith("garbage reply"));  // truncated
  CHECK_THROWS_AS(parse_clamd_reply("stream: FOUND"), DaemonError);
}
