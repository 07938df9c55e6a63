// pipe_test.cc - --pipe, the simple filter, against the scripted next hop
//
// pipe(8) gives the message on stdin and reads the exit status (sysexits.h)
// and one line of stdout; these tests check both, and what the next hop got.
#include <catch2/catch.hpp>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kMessage = "From: a@example.com\nSubject: pipe\n\n.dot line\nbody \xe9\n";

bool starts_with(const std::string& s, const std::string& p) { return s.rfind(p, 0) == 0; }

}  // namespace

TEST_CASE("--pipe delivers: MAIL, RCPTs, the message in wire form, exit 0", "[pipe]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {pipe_args(hop, {}, "s@example.com", {"r1@example.net", "r2@example.net"}), kMessage});
  INFO(r.output << box.log());
  CHECK(r.status == 0);
  CHECK(starts_with(r.output, "2.0.0 "));
  CHECK(lines(r.output).size() == 1);
  std::vector<std::string> c = hop.commands();
  REQUIRE(c.size() >= 5);
  CHECK(c[1] == "MAIL FROM:<s@example.com> SIZE=57 BODY=8BITMIME");
  CHECK(c[2] == "RCPT TO:<r1@example.net>");
  CHECK(c[3] == "RCPT TO:<r2@example.net>");
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "From: a@example.com\r\nSubject: pipe\r\n\r\n..dot line\r\nbody \xe9\r\n");
}

TEST_CASE("--pipe -f \"\" is the null sender", "[pipe]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {pipe_args(hop, {}, "", {"r@example.net"}), kMessage});
  CHECK(r.status == 0);
  CHECK(hop.commands()[1].rfind("MAIL FROM:<> ", 0) == 0);
}

TEST_CASE("--pipe hook verdicts map to sysexits", "[pipe]") {
  struct Case {
    std::string hook;
    int status;
    std::string line;
    std::size_t delivered;
  } cases[] = {
      {"exit-with 0", 0, "2.0.0 ", 1},
      {"exit-with 65 'virus found'", 69, "5.7.1 virus found", 0},
      {"exit-with 69 '554 5.7.0 policy'", 69, "5.7.0 policy", 0},
      {"exit-with 99", 0, "2.0.0 Ok: discarded", 0},
      {"exit-with 75 'busy'", 75, "4.7.1 busy", 0},
      {"exit-with 1", 75, "4.7.1 hook exited 1", 0},
      {"crash SEGV", 75, "4.7.1 hook killed by signal 11", 0},
      {"no-such-hook-here", 75, "4.7.1 hook not found: ", 0},
  };
  for (const Case& c : cases) {
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {pipe_args(hop, {"--hook", hook(c.hook)}, "s@x", {"r@y"}), kMessage});
    INFO(c.hook << ": " << r.output);
    CHECK(r.status == c.status);
    CHECK(starts_with(r.output, c.line));
    CHECK(hop.messages().size() == c.delivered);
    if (c.delivered == 0) CHECK(hop.connections() == 0);  // the next hop is only asked after an accept
  }
}

TEST_CASE("--pipe is all or nothing over recipients", "[pipe]") {
  for (std::string refusal : {"550 5.1.1 <bad@y>: Recipient address rejected", "450 4.2.0 <bad@y>: greylisted"}) {
    Sandbox box;
    FakeNextHop::Config cfg;
    cfg.script = [refusal](const std::string& verb, const std::string& line, int) -> std::optional<std::string> {
      if (verb == "RCPT" && line.find("bad@") != std::string::npos) return refusal;
      return std::nullopt;
    };
    FakeNextHop hop(cfg);
    Run r = run_spoolgate(box, {pipe_args(hop, {}, "s@x", {"good@y", "bad@y"}), kMessage});
    INFO(r.output);
    CHECK(r.status == (refusal[0] == '5' ? 69 : 75));
    CHECK(starts_with(r.output, refusal[0] == '5' ? "5.1.1 " : "4.2.0 "));
    CHECK(r.output.find("bad@y") != std::string::npos);
    CHECK(hop.messages().empty());
    CHECK(hop.count("DATA") == 0);
    CHECK(hop.count("RSET") == 1);
  }
}

TEST_CASE("--pipe: the next hop down or broken is temporary", "[pipe]") {
  SECTION("connection refused") {
    Sandbox box;
    FakeNextHop::Config cfg;
    cfg.listen = false;
    FakeNextHop hop(cfg);
    Run r = run_spoolgate(box, {pipe_args(hop, {}, "s@x", {"r@y"}), kMessage});
    CHECK(r.status == 75);
    CHECK(starts_with(r.output, "4."));
  }
  for (std::string fault : {"CLOSE", "RAW:250 2.0.0 not a 354\r\n", "RAW:garbage\r\n", "421 4.3.2 bye"}) {
    Sandbox box;
    FakeNextHop::Config cfg;
    cfg.script = [fault](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == "DATA") return fault;
      return std::nullopt;
    };
    FakeNextHop hop(cfg);
    Run r = run_spoolgate(box, {pipe_args(hop, {}, "s@x", {"r@y"}), kMessage});
    INFO(fault << ": " << r.output);
    CHECK(r.status == 75);
    CHECK(starts_with(r.output, "4."));
    CHECK(hop.messages().empty());
  }
  for (std::string final_reply : {"CLOSE", "554 5.7.1 no thanks", "451 4.3.0 later"}) {
    Sandbox box;
    FakeNextHop::Config cfg;
    cfg.on_message = [final_reply](const std::string&, int) -> std::optional<std::string> { return final_reply; };
    FakeNextHop hop(cfg);
    Run r = run_spoolgate(box, {pipe_args(hop, {}, "s@x", {"r@y"}), kMessage});
    INFO(final_reply << ": " << r.output);
    CHECK(r.status == (final_reply[0] == '5' ? 69 : 75));
  }
}

TEST_CASE("--pipe refuses addresses that would inject SMTP commands", "[pipe]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {pipe_args(hop, {}, "a@b>\r\nRCPT TO:<evil@x", {"r@y"}), kMessage});
  CHECK(r.status == 69);
  CHECK(starts_with(r.output, "5.1.7 "));
  CHECK(hop.connections() == 0);
  Run r2 = run_spoolgate(box, {pipe_args(hop, {}, "s@x", {"r@y\nDATA"}), kMessage});
  CHECK(r2.status == 69);
  CHECK(starts_with(r2.output, "5.1.3 "));
}

TEST_CASE("--pipe gives up at --deadline with 75, before pipe(8) would", "[pipe]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {pipe_args(hop, {"--hook", hook("sleeper") + " 20", "--deadline", "2"}, "s@x", {"r@y"}),
                              kMessage});
  CHECK(r.status == 75);
  CHECK(starts_with(r.output, "4."));
  CHECK(r.seconds < 10);
  CHECK(hop.messages().empty());
}

TEST_CASE("--pipe: headers mode, --add-header, and the log line", "[pipe]") {
  Sandbox box;
  FakeNextHop hop;
  std::string h = box.file("h");
  {
    std::FILE* f = std::fopen(h.c_str(), "w");
    std::fputs("X-Checked: yes\n", f);
    std::fclose(f);
  }
  Run r = run_spoolgate(box, {pipe_args(hop, {"--hook", hook("print-stdout") + " " + h, "--hook-output", "headers",
                                              "--add-header", "X-Via: pipe"},
                                        "s@x", {"r@y"}),
                              kMessage});
  CHECK(r.status == 0);
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0].rfind("X-Via: pipe\r\nX-Checked: yes\r\nFrom: a@example.com\r\n", 0) == 0);
  CHECK(box.log().find("NOQUEUE: from=<s@x>, to=<r@y>, nrcpt=1, size=57, verdict=accept, hook=0") != std::string::npos);
}
