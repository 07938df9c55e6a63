// response_test.cc - unit tests of scan/response.h: replies in the HTTP shape
#include "spoolgate/scan/response.h"

#include <catch2/catch.hpp>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"

using namespace spoolgate::scan;

TEST_CASE("status line, fields in any case, body cut at Content-length", "[scan_response]") {
  Response r = parse_response("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nX-A:  b \r\n\r\nokEXTRA");
  CHECK(r.status_line == "HTTP/1.1 200 OK");
  CHECK(*r.field("content-length") == "2");
  CHECK(*r.field("x-a") == "b");
  CHECK(r.field("missing") == nullptr);
  CHECK(r.body == "ok");
  r = parse_response("SPAMD/1.1 0 EX_OK\nSpam: False ; 0 / 5\n\nbody to the end");
  CHECK(r.body == "body to the end");
}

TEST_CASE("bounds and malformed heads", "[scan_response]") {
  std::string many = "HTTP/1.1 200 OK\r\n";
  for (std::size_t i = 0; i <= kMaxReplyHeadFields; ++i) many += "X: y\r\n";
  CHECK_THROWS_WITH(parse_response(many + "\r\n"), Catch::Contains("too many"));
  CHECK_THROWS_WITH(parse_response("HTTP/1.1 200 OK\r\n:x\r\n\r\n"), Catch::Contains("without a colon"));
  CHECK_THROWS_WITH(parse_response("HTTP/1.1 200 OK\r\nX: y\r\n"), Catch::Contains("no end of head"));
}

TEST_CASE("response_complete: the head, then Content-length octets", "[scan_response]") {
  CHECK_FALSE(response_complete(""));
  CHECK_FALSE(response_complete("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n"));
  CHECK_FALSE(response_complete("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabc"));
  CHECK(response_complete("HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nabcd"));
  CHECK_FALSE(response_complete("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1 / 5\r\n\r\n"));  // to the close
  CHECK(response_complete("HTTP/1.1 200 OK\r\nbroken\r\n\r\n"));                    // garbage: stop reading
}
