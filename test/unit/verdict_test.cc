// verdict_test.cc - unit tests of verdict.h: SPEC's exit-status table and its replies
#include "spoolgate/verdict.h"

#include <catch2/catch.hpp>

#include <string>

using namespace spoolgate;

namespace {

HookResult exited(int status, std::string reason = "", bool output_valid = true) {
  HookResult r;
  r.end = HookResult::End::exited;
  r.status = status;
  r.reason = std::move(reason);
  r.output_valid = output_valid;
  return r;
}

HookResult ended(HookResult::End end, int status = 0, std::string reason = "") {
  HookResult r;
  r.end = end;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

}  // namespace

TEST_CASE("decide: 0 with valid output accepts, with no reply of our own", "[verdict]") {
  Decision d = decide(exited(0));
  CHECK(d.verdict == Verdict::accept);
  CHECK(d.reply.code == 0);
  CHECK(d.reply.lines.empty());
}

TEST_CASE("decide: 0 with invalid output defers, naming the problem", "[verdict]") {
  HookResult r = exited(0, "", false);
  r.problem = "invalid hook output: empty rewritten message";
  Decision d = decide(r);
  CHECK(d.verdict == Verdict::defer);
  CHECK(d.reply.render() == "451 4.7.1 invalid hook output: empty rewritten message\r\n");
  CHECK(d.reason == "invalid hook output: empty rewritten message");
}

TEST_CASE("decide: 65 67 68 69 77 reject", "[verdict]") {
  for (int status : {65, 67, 68, 69, 77}) {
    INFO("exit " << status);
    Decision d = decide(exited(status));
    CHECK(d.verdict == Verdict::reject);
    CHECK(d.reply.render() == "550 5.7.1 Message content rejected\r\n");
  }
}

TEST_CASE("decide: 99 discards, and keeps the reason for the log", "[verdict]") {
  Decision d = decide(exited(99, "whatever the hook said"));
  CHECK(d.verdict == Verdict::discard);
  CHECK(d.reply.render() == "250 2.0.0 Ok: discarded\r\n");
  CHECK(d.reason == "whatever the hook said");
  CHECK(decide(exited(99)).reason == "hook exited 99");
}

TEST_CASE("decide: 75 and every other status defer", "[verdict]") {
  for (int status : {75, 1, 2, 64, 66, 70, 71, 72, 73, 74, 76, 78, 98, 100, 126, 127, 128, 255}) {
    INFO("exit " << status);
    Decision d = decide(exited(status));
    CHECK(d.verdict == Verdict::defer);
    CHECK(d.reply.render() == "451 4.7.1 hook exited " + std::to_string(status) + "\r\n");
    CHECK(d.reason == "hook exited " + std::to_string(status));
  }
}

TEST_CASE("decide: a hook that did not exit normally defers", "[verdict]") {
  SECTION("signaled") {
    Decision d = decide(ended(HookResult::End::signaled, 11));
    CHECK(d.verdict == Verdict::defer);
    CHECK(d.reply.render() == "451 4.7.1 hook killed by signal 11\r\n");
  }
  SECTION("signaled, status 0 is no exit status") {
    CHECK(decide(ended(HookResult::End::signaled, 0)).verdict == Verdict::defer);
  }
  SECTION("timed out") {
    HookResult r = ended(HookResult::End::timed_out);
    r.timeout = std::chrono::milliseconds(2500);
    Decision d = decide(r);
    CHECK(d.verdict == Verdict::defer);
    CHECK(d.reply.render() == "451 4.7.1 hook timed out after 2.5 s\r\n");
  }
  SECTION("cannot start") {
    HookResult r = ended(HookResult::End::cannot_start, 127);
    r.problem = "hook not found: /no/such/hook";
    Decision d = decide(r);
    CHECK(d.verdict == Verdict::defer);
    CHECK(d.reply.render() == "451 4.7.1 hook not found: /no/such/hook\r\n");
  }
  SECTION("aborted") {
    CHECK(decide(ended(HookResult::End::aborted)).verdict == Verdict::defer);
  }
  SECTION("a status that would reject or discard, had it exited") {
    CHECK(decide(ended(HookResult::End::signaled, 65)).verdict == Verdict::defer);
    CHECK(decide(ended(HookResult::End::timed_out, 99)).verdict == Verdict::defer);
  }
}

TEST_CASE("decide: REASON goes into reject and defer replies", "[verdict]") {
  SECTION("reject") {
    CHECK(decide(exited(65, "Infected: Eicar-Test-Signature")).reply.render() ==
          "550 5.7.1 Infected: Eicar-Test-Signature\r\n");
  }
  SECTION("reject with codes of its class") {
    CHECK(decide(exited(69, "554 5.7.0 spam score 12")).reply.render() == "554 5.7.0 spam score 12\r\n");
  }
  SECTION("defer") {
    CHECK(decide(exited(75, "scanner unavailable")).reply.render() == "451 4.7.1 scanner unavailable\r\n");
  }
  SECTION("a timed-out hook's last words") {
    CHECK(decide(ended(HookResult::End::timed_out, 0, "still scanning")).reply.render() ==
          "451 4.7.1 still scanning\r\n");
  }
  SECTION("defer never keeps a 5xx code") {
    CHECK(decide(exited(75, "550 5.7.1 no")).reply.render() == "451 4.7.1 no\r\n");
  }
}

TEST_CASE("defer_reply and reject_reply", "[verdict]") {
  CHECK(defer_reply("").render() == "451 4.7.1 Try again later\r\n");
  CHECK(defer_reply("no disk").render() == "451 4.7.1 no disk\r\n");
  CHECK(reject_reply("").render() == "550 5.7.1 Message content rejected\r\n");
  CHECK(reject_reply("5.7.0 bad").render() == "550 5.7.0 bad\r\n");
}

TEST_CASE("to_string(Verdict) uses the log's words", "[verdict]") {
  CHECK(std::string(to_string(Verdict::accept)) == "accept");
  CHECK(std::string(to_string(Verdict::reject)) == "reject");
  CHECK(std::string(to_string(Verdict::defer)) == "defer");
  CHECK(std::string(to_string(Verdict::discard)) == "discard");
}
