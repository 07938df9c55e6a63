// rspamd_test.cc - unit tests of scan/rspamd.h: the request head and rspamd's replies
#include "spoolgate/scan/rspamd.h"

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/scan/daemon_conn.h"

using namespace spoolgate::scan;

namespace {

std::string http(const std::string& body, const std::string& status = "200 OK") {
  return "HTTP/1.1 " + status + "\r\nConnection: close\r\nServer: rspamd/3.4\r\nContent-Length: " +
         std::to_string(body.size()) + "\r\nContent-Type: application/json\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("rspamd: the request carries the envelope", "[rspamd]") {
  HookEnv env;
  env.sender = "a@example.org";
  env.recipients = {"b@example.org", "c@example.org"};
  env.client_address = "192.0.2.10";
  env.client_helo = "helo.example.net";
  env.queue_id = "4XyZ1";
  CHECK(rspamd_request_head(env, 123) ==
        "POST /checkv2 HTTP/1.1\r\nHost: rspamd\r\nConnection: close\r\nContent-Length: 123\r\n"
        "IP: 192.0.2.10\r\nHostname: unknown\r\nHelo: helo.example.net\r\nFrom: <a@example.org>\r\n"
        "Rcpt: <b@example.org>\r\nRcpt: <c@example.org>\r\nQueue-Id: 4XyZ1\r\n\r\n");
  HookEnv bare;
  CHECK(rspamd_request_head(bare, 0) ==
        "POST /checkv2 HTTP/1.1\r\nHost: rspamd\r\nConnection: close\r\nContent-Length: 0\r\nFrom: <>\r\n\r\n");
  bare.client_helo = "x\r\nPass: all";
  CHECK_THAT(rspamd_request_head(bare, 0), Catch::Contains("Helo: xPass: all\r\n"));
}

TEST_CASE("rspamd: clean, spam and soft reject replies", "[rspamd]") {
  RspamdResult r = parse_rspamd_reply(http(
      R"({"is_skipped":false,"score":1.5,"required_score":15.0,"action":"no action",)"
      R"("symbols":{"R_SPF_NA":{"name":"R_SPF_NA","score":0.0},"ARC_NA":{"name":"ARC_NA","score":0.0}},"messages":{}})"));
  CHECK(r.action == "no action");
  CHECK(r.score == Approx(1.5));
  CHECK(r.required == Approx(15.0));
  CHECK(r.symbols == std::vector<std::string>{"ARC_NA", "R_SPF_NA"});
  CHECK(r.smtp_message.empty());
  r = parse_rspamd_reply(http(R"({"is_skipped":true,"score":15.0,"required_score":15.0,"action":"reject",)"
                              R"("symbols":{"GTUBE":{"name":"GTUBE","score":0.0}},"messages":{"smtp_message":"Gtube pattern"}})"));
  CHECK(r.action == "reject");
  CHECK(r.smtp_message == "Gtube pattern");
  r = parse_rspamd_reply(http(R"({"score":4,"required_score":15,"action":"soft reject","messages":{"smtp_message":"Try again later"}})"));
  CHECK(r.action == "soft reject");
  CHECK(r.symbols.empty());
}

TEST_CASE("rspamd: errors, garbage, truncated replies are DaemonErrors", "[rspamd]") {
  CHECK_THROWS_WITH(parse_rspamd_reply(http(R"({"error":"Message is too big"})", "413 Payload Too Large")),
                    Catch::StartsWith("rspamd answered HTTP 413: Message is too big"));
  CHECK_THROWS_WITH(parse_rspamd_reply(http("<html>oops</html>", "500 Internal")), Catch::Contains("HTTP 500: <html>"));
  CHECK_THROWS_WITH(parse_rspamd_reply(http("not json")), Catch::StartsWith("garbage reply"));
  CHECK_THROWS_WITH(parse_rspamd_reply(http(R"({"score":1,"required_score":15,"action":"accept"})")),
                    Catch::Contains("unknown action \"accept\""));
  CHECK_THROWS_WITH(parse_rspamd_reply(http(R"({"required_score":15,"action":"reject"})")), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_rspamd_reply(http(R"({"score":"high","required_score":15,"action":"reject"})")),
                    Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_rspamd_reply(http("[1,2]")), Catch::StartsWith("garbage"));
  std::string whole = http(R"({"score":1,"required_score":15,"action":"no action"})");
  CHECK_THROWS_WITH(parse_rspamd_reply(whole.substr(0, whole.size() - 5)), Catch::StartsWith("truncated reply"));
  CHECK_THROWS_WITH(parse_rspamd_reply("SPAMD/1.1 0 EX_OK\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_rspamd_reply(""), Catch::Contains("without a reply"));
}
