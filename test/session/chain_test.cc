// chain_test.cc - several hooks on one message, header fields that replace forged ones, and --try
// (issue 10, SPEC "--hook", "--try", "The hook")
#include <catch2/catch.hpp>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kBody = "From: a@example.com\r\nSubject: chain\r\n\r\nbody\r\n";

/// A file of header fields for print-stdout, and the hook that prints it.
std::string printing(const Sandbox& box, const std::string& name, const std::string& fields) {
  write_file(box.file(name), fields);
  return hook("print-stdout") + " " + box.file(name);
}

/// The reply to the final "." of a one-message session.
std::string reply_to_dot(const std::string& out) {
  std::vector<std::string> l = lines(out);
  for (std::size_t i = 0; i + 1 < l.size(); ++i)
    if (l[i].rfind("354 ", 0) == 0) return l[i + 1];
  return "(no reply to the dot)";
}

}  // namespace

TEST_CASE("a chain: each hook sees the message as the previous left it; fields accumulate; hook= lists each",
          "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  std::string dir = box.subdir("second");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", printing(box, "first", "X-First: 1\n"), "--hook-output", "headers",
                                             "--hook", hook("record") + " " + dir + " 0", "--hook-output", "check",
                                             "--hook", printing(box, "third", "X-Third: 3\n"), "--hook-output", "headers"}),
                              transaction(kBody)});
  CHECK(only_replies(r.output));
  CHECK(read_file(dir + "/stdin") == "X-First: 1\nFrom: a@example.com\nSubject: chain\n\nbody\n");
  CHECK(read_file(dir + "/stdin2") == read_file(dir + "/stdin"));  // seekable, as the first hook's was
  CHECK(contains(read_file(dir + "/env"), "SPOOLGATE_HOOK_OUTPUT=check\n"));
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "X-Third: 3\r\nX-First: 1\r\n" + kBody);
  CHECK(contains(box.log(), "verdict=accept, hook=0,0,0, "));
}

TEST_CASE("a chain: the first verdict other than accept ends it", "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  std::string dir = box.subdir("never");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " 0", "--hook",
                                             hook("exit-with") + " 65 'virus found: Eicar-Test-Signature'", "--hook",
                                             hook("record") + " " + dir + " 0"}),
                              transaction(kBody)});
  CHECK(reply_to_dot(r.output) == "550 5.7.1 virus found: Eicar-Test-Signature");
  CHECK(Sandbox::list(dir).empty());
  CHECK(hop.messages().empty());
  CHECK(contains(box.log(), "verdict=reject, hook=0,65, "));
  CHECK(contains(box.log(), "reason=(virus found: Eicar-Test-Signature)"));
}

TEST_CASE("--hook-output: once for every hook, or once per hook; another count is a usage error", "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  SECTION("once: every hook's mode") {
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", printing(box, "a", "X-A: 1\n"), "--hook",
                                               printing(box, "b", "X-B: 2\n"), "--hook-output", "headers"}),
                                transaction(kBody)});
    REQUIRE(hop.messages().size() == 1);
    CHECK(hop.messages()[0] == "X-B: 2\r\nX-A: 1\r\n" + kBody);
  }
  SECTION("two modes for three hooks") {
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", "a", "--hook", "b", "--hook", "c", "--hook-output", "check",
                                               "--hook-output", "headers"}),
                                transaction(kBody)});
    CHECK(r.status == 64);
    CHECK(only_replies(r.output));
    CHECK(contains(r.output, "421 4.3.5 spoolgate: bad usage: --hook-output: 2 given for 3 hooks"));
  }
}

TEST_CASE("a header field the hook prints replaces every field of that name already in the message", "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  const std::string forged =
      "X-Spam-Flag: NO\r\nFrom: a@example.com\r\nx-spam-flag: no\r\n\tfolded on\r\nX-Spam-Status: No, score=-100\r\n"
      "Subject: forged\r\nX-Spam-Level:\r\n\r\nX-Spam-Flag: NO in the body stays\r\n";
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", printing(box, "spam", "X-Spam-Flag: YES\nX-Spam-Status: Yes,\n score=7.5\n"),
                                             "--hook-output", "headers", "--add-header", "X-Filtered-By: spoolgate"}),
                              transaction(forged)});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] ==
        "X-Filtered-By: spoolgate\r\nX-Spam-Flag: YES\r\nX-Spam-Status: Yes,\r\n score=7.5\r\n"
        "From: a@example.com\r\nSubject: forged\r\nX-Spam-Level:\r\n\r\nX-Spam-Flag: NO in the body stays\r\n");
  SECTION("and the next hook in the chain sees the replaced fields only") {
    Sandbox b2;
    FakeNextHop h2;
    std::string dir = b2.subdir("after");
    run_spoolgate(b2, {hop_args(h2, {"--hook", printing(b2, "spam", "X-Spam-Flag: YES\n"), "--hook-output", "headers",
                                     "--hook", hook("record") + " " + dir + " 0", "--hook-output", "check"}),
                       transaction(forged)});
    CHECK(read_file(dir + "/stdin").rfind("X-Spam-Flag: YES\nFrom: a@example.com\nX-Spam-Status: No, score=-100\n", 0) == 0);
  }
}

TEST_CASE("a rewrite in a chain: the next hook sees the rewritten message", "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  std::string dir = box.subdir("after");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("subject-tag"), "--hook-output", "rewrite", "--hook",
                                             hook("record") + " " + dir + " 0", "--hook-output", "check"}),
                              transaction("Subject: hello\r\n\r\nbody\r\n")});
  CHECK(read_file(dir + "/stdin") == "Subject: [tagged] hello\n\nbody\n");
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: [tagged] hello\r\n\r\nbody\r\n");
}

TEST_CASE("XFORWARD SOURCE and PROTO reach the hook", "[chain]") {
  Sandbox box;
  FakeNextHop hop;
  std::string dir = box.subdir("rec");
  std::string input = "EHLO x\r\nXFORWARD ADDR=192.0.2.1 SOURCE=LOCAL PROTO=ESMTP\r\nMAIL FROM:<a@b>\r\n"
                      "RCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nQUIT\r\n";
  run_spoolgate(box, {hop_args(hop, {"--hook", hook("record") + " " + dir + " 0"}), input});
  std::string env = read_file(dir + "/env");
  CHECK(contains(env, "SPOOLGATE_CLIENT_SOURCE=LOCAL\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_PROTO=ESMTP\n"));
}

// --try: the hooks as in production, nothing delivered, what would happen said

namespace {

Run try_run(const Sandbox& box, std::vector<std::string> args, const std::string& message) {
  args.insert(args.begin(), "--try");
  RunOptions o{std::move(args), message};
  o.as_pipes = true;  // a person at a shell
  return run_spoolgate(box, o);
}

}  // namespace

TEST_CASE("--try: each verdict, its exit status as --pipe's, and nothing delivered", "[try]") {
  const std::string message = "From: a@example.com\nSubject: try\n\nbody\n";
  FakeNextHop hop;
  struct Case {
    std::string hook_args;
    int status;
    std::string verdict;
    std::string reply;
  } cases[] = {
      {"0", 0, "verdict: accept", "reply: the next hop's own reply"},
      {"65 'virus found: Eicar-Test-Signature'", 69, "verdict: reject", "reply: 550 5.7.1 virus found: Eicar-Test-Signature"},
      {"99 'spam, discarded'", 0, "verdict: discard", "reply: 250 2.0.0 Ok: discarded"},
      {"1", 75, "verdict: defer", "reply: 451 4.7.1 hook exited 1"},
  };
  for (const Case& c : cases) {
    Sandbox box;
    Run r = try_run(box, {"--hook", hook("exit-with") + " " + c.hook_args, "127.0.0.1", std::to_string(hop.port()),
                          "-f", "s@example.com", "--", "r@example.net"},
                    message);
    INFO(r.output);
    CHECK(r.status == c.status);
    CHECK(contains(r.output, "message: 43 octets from <s@example.com> to 1 recipient(s)"));
    CHECK(contains(r.output, "hook 1: " + hook("exit-with")));
    CHECK(contains(r.output, c.verdict + "\n"));
    CHECK(contains(r.output, c.reply));
  }
  CHECK(hop.connections() == 0);
}

TEST_CASE("--try: the header fields that would be added, and a quarantine file tried as it is", "[try]") {
  Sandbox box;
  FakeNextHop hop;
  std::string q = box.subdir("quarantine");
  run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " 99 spam", "--quarantine-dir", q}),
                      transaction(kBody, {"r1@example.net", "r2@example.net"})});
  std::vector<std::string> files = Sandbox::list(q);
  REQUIRE(files.size() == 1);
  std::string dir = box.subdir("rec");
  Run r = try_run(box, {"--hook", printing(box, "f", "X-Tried: yes\n"), "--hook-output", "headers", "--hook",
                        hook("record") + " " + dir + " 0", "--hook-output", "check"},
                  read_file(q + "/" + files[0]));
  INFO(r.output);
  CHECK(r.status == 0);
  CHECK(contains(r.output, "quarantine file: discard, hook=99, reason=(spam)"));
  CHECK(contains(r.output, "from <sender@example.com> to 2 recipient(s)"));
  CHECK(contains(r.output, "header fields added:\n  X-Tried: yes\n"));
  CHECK(read_file(dir + "/stdin") == "X-Tried: yes\nFrom: a@example.com\nSubject: chain\n\nbody\n");
  CHECK(contains(read_file(dir + "/env"), "SPOOLGATE_RECIPIENTS=r1@example.net\nr2@example.net\n"));
  CHECK(Sandbox::list(q).size() == 1);  // --try keeps no copy of its own
}

TEST_CASE("--try without an envelope says what it needs", "[try]") {
  Sandbox box;
  Run r = try_run(box, {}, "Subject: x\n\nno envelope\n");
  CHECK(r.status == 64);
  CHECK(contains(r.output, "give -f SENDER -- RECIPIENT..., or a quarantine file on stdin"));
}
