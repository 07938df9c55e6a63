// spamd_test.cc - unit tests of scan/spamd.h: spamd's replies and the envelope fields
#include "spoolgate/scan/spamd.h"

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"

using namespace spoolgate::scan;

TEST_CASE("spamd: clean and spam replies to SYMBOLS", "[spamd]") {
  SpamReport r = parse_spamd_reply(
      "SPAMD/1.1 0 EX_OK\r\nContent-length: 33\r\nSpam: False ; -0.1 / 5.0\r\n\r\nMSGID_SHORT,NO_RECEIVED,NO_RELAYS");
  CHECK_FALSE(r.spam);
  CHECK(r.score == Approx(-0.1));
  CHECK(r.required == Approx(5.0));
  CHECK(r.tests == std::vector<std::string>{"MSGID_SHORT", "NO_RECEIVED", "NO_RELAYS"});
  r = parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 16\r\nSpam: True ; 1000.0 / 5.0\r\n\r\nGTUBE,NO_RELAYS\r\n");
  CHECK(r.spam);
  CHECK(r.score == Approx(1000.0));
  CHECK(r.tests == std::vector<std::string>{"GTUBE", "NO_RELAYS"});
  r = parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\nSpam: False ; 0.0 / 5.0\r\n\r\n");
  CHECK(r.tests.empty());
}

TEST_CASE("spamd: errors, garbage, truncated replies are DaemonErrors", "[spamd]") {
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.0 76 Bad header line: x\r\n\r\n"),
                    Catch::StartsWith("spamd answered \"SPAMD/1.0 76 Bad header line"));
  CHECK_THROWS_WITH(parse_spamd_reply(""), Catch::Contains("without a reply"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nSpam: True ; 1000.0"), Catch::StartsWith("truncated"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 50\r\nSpam: True ; 9 / 5\r\n\r\nGTUBE"),
                    Catch::StartsWith("truncated reply: 5 of 50"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nContent-length: 0\r\n\r\n"), Catch::Contains("no Spam:"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nSpam: Maybe ; 1 / 5\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nSpam: True ; lots / 5\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nSpam: True ; nan / 5\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_spamd_reply("HTTP/1.1 200 OK\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nnonsense\r\n\r\n"), Catch::StartsWith("garbage"));
  CHECK_THROWS_WITH(parse_spamd_reply("SPAMD/1.1 0 EX_OK\r\nContent-length: x\r\n\r\n"), Catch::StartsWith("garbage"));
  std::string long_line = "SPAMD/1.1 0 EX_OK\r\nX: " + std::string(kMaxReplyHeadLine, 'a') + "\r\n\r\n";
  CHECK_THROWS_WITH(parse_spamd_reply(long_line), Catch::Contains("too long"));
}

TEST_CASE("envelope_prefix: Received and X-Envelope-From only when missing", "[spamd]") {
  HookEnv env;
  env.sender = "a@example.org";
  env.recipients = {"b@example.org"};
  env.client_address = "192.0.2.10";
  env.client_hostname = "mail.example.net";
  env.client_helo = "helo.example.net";
  env.client_proto = "ESMTP";
  env.queue_id = "4XyZ1";
  const char* date = "Thu, 03 Dec 2026 10:00:00 +0000";
  CHECK(envelope_prefix(env, "Subject: x\n", "mx", date) ==
        "Received: from helo.example.net (mail.example.net [192.0.2.10])\n"
        "\tby mx (spoolgate) with ESMTP id 4XyZ1\n"
        "\tfor <b@example.org>; Thu, 03 Dec 2026 10:00:00 +0000\n"
        "X-Envelope-From: <a@example.org>\n");
  SECTION("the message has them already (Postfix's smtpd wrote its Received)") {
    std::string block =
        "Received: from helo.example.net (mail.example.net [192.0.2.10])\n\tby mx (Postfix) with ESMTP id Q\n"
        "X-Envelope-From: <a@example.org>\nSubject: x\n";
    CHECK(envelope_prefix(env, block, "mx", date).empty());
  }
  SECTION("a Received field that names another address does not count") {
    CHECK_THAT(envelope_prefix(env, "Received: from x ([192.0.2.100])\n", "mx", date),
               Catch::StartsWith("Received: from helo.example.net"));
  }
  SECTION("no client address: no Received; null sender; unknowns; IPv6; two recipients") {
    env.client_address.clear();
    env.sender.clear();
    CHECK(envelope_prefix(env, "", "mx", date) == "X-Envelope-From: <>\n");
    env.client_address = "2001:db8::1";
    env.client_hostname.clear();
    env.client_helo.clear();
    env.client_proto.clear();
    env.queue_id.clear();
    env.recipients.push_back("c@example.org");
    CHECK(envelope_prefix(env, "", "mx", date) ==
          "Received: from unknown (unknown [IPv6:2001:db8::1])\n"
          "\tby mx (spoolgate) with SMTP; Thu, 03 Dec 2026 10:00:00 +0000\n"
          "X-Envelope-From: <>\n");
    CHECK(envelope_prefix(env, "Received: from a (b [IPv6:2001:db8::1])\n", "mx", date) == "X-Envelope-From: <>\n");
  }
  SECTION("a value cannot add a line") {
    env.client_helo = "evil\nX-Spam-Flag: NO";
    env.client_address = "192.0.2.10";
    CHECK_THAT(envelope_prefix(env, "", "mx", date), Catch::StartsWith("Received: from evilX-Spam-Flag: NO ("));
  }
}
