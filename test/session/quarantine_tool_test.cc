// quarantine_tool_test.cc - spoolgate-quarantine: list, show, release, delete, expire (issue 11)
//
// Quarantine files are made by spoolgate itself (a rejecting and a
// discarding hook), then the built spoolgate-quarantine acts on them; a
// release goes to the scripted next hop.
#include <sys/stat.h>
#include <sys/time.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kBody = "From: a@example.com\r\nSubject: quarantined\r\n\r\n.dot line\r\nbody\r\n";

/// A quarantine directory with one rejected and one discarded message.
struct Quarantine {
  Sandbox box;
  std::string dir = box.subdir("quarantine");
  Quarantine() {
    FakeNextHop hop;
    run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " 65 'virus found: Eicar'", "--quarantine-dir", dir}),
                        transaction(kBody, {"r1@example.net", "r2@example.net"})});
    run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " 99 'spam score 20'", "--quarantine-dir", dir}),
                        transaction(kBody, {"r3@example.net"}, "other@example.com")});
  }
  /// The ID of the file whose name contains `verdict`.
  std::string id(const std::string& verdict) const {
    for (const std::string& f : Sandbox::list(dir))
      if (contains(f, "-" + verdict + "-")) return f;
    return "(none)";
  }
  Run tool(std::vector<std::string> args, const FakeNextHop* hop = nullptr) const {
    std::vector<std::string> a = {"--quarantine-dir", dir};
    if (hop) a.insert(a.end(), {"--next-hop", "127.0.0.1:" + std::to_string(hop->port())});
    a.insert(a.end(), args.begin(), args.end());
    RunOptions o{a, ""};
    o.as_pipes = true;
    o.program = quarantine_binary();
    return run_spoolgate(box, o);
  }
};

}  // namespace

TEST_CASE("list: one line per message, newest first, with what an administrator decides on", "[quarantine-tool]") {
  Quarantine q;
  REQUIRE(Sandbox::list(q.dir).size() == 2);
  // the discarded one is newer: make sure the times differ
  struct timeval old[2] = {{1700000000, 0}, {1700000000, 0}};
  ::utimes((q.dir + "/" + q.id("reject")).c_str(), old);
  Run r = q.tool({"list"});
  CHECK(r.status == 0);
  std::vector<std::string> l;
  for (std::size_t start = 0, nl; (nl = r.output.find('\n', start)) != std::string::npos; start = nl + 1)
    l.push_back(r.output.substr(start, nl - start));
  REQUIRE(l.size() == 2);
  CHECK(l[0].rfind(q.id("discard") + "  ", 0) == 0);
  CHECK(contains(l[0], "  -  discard  "));
  CHECK(contains(l[0], "  <other@example.com>  <r3@example.net>  (spam score 20)"));
  CHECK(l[1].rfind(q.id("reject") + "  2023-11-", 0) == 0);
  CHECK(contains(l[1], "  reject  57  <sender@example.com>  <r1@example.net>,<r2@example.net>  (virus found: Eicar)"));
}

TEST_CASE("show: the file as it is, envelope block first", "[quarantine-tool]") {
  Quarantine q;
  Run r = q.tool({"show", q.id("reject")});
  CHECK(r.status == 0);
  CHECK(r.output == read_file(q.dir + "/" + q.id("reject")));
  CHECK(r.output.rfind("X-Envelope-From: <sender@example.com>\n", 0) == 0);
}

TEST_CASE("release: once, with the stored envelope, bypassing the hooks; then the file is gone", "[quarantine-tool]") {
  Quarantine q;
  FakeNextHop hop;
  std::string id = q.id("reject");
  Run r = q.tool({"release", id}, &hop);
  INFO(r.output << q.box.log());
  CHECK(r.status == 0);
  CHECK(contains(r.output, id + ": released: 250 2.0.0 Ok: queued as FAKE1"));
  REQUIRE(hop.messages().size() == 1);
  // the message as received, on the wire as it was: dot-stuffed
  CHECK(hop.messages()[0] == "From: a@example.com\r\nSubject: quarantined\r\n\r\n..dot line\r\nbody\r\n");
  std::vector<std::string> c = hop.commands();
  CHECK(std::count(c.begin(), c.end(), "RCPT TO:<r1@example.net>") == 1);
  CHECK(std::count(c.begin(), c.end(), "RCPT TO:<r2@example.net>") == 1);
  CHECK(contains(c[1], "MAIL FROM:<sender@example.com>"));
  CHECK(Sandbox::list(q.dir).size() == 1);
  CHECK(contains(q.box.log(), "hook=released"));
  CHECK(contains(q.box.log(), "released=" + id));
  SECTION("--to: to someone else instead") {
    FakeNextHop h2;
    Run r2 = q.tool({"release", q.id("discard"), "--to", "postmaster@example.net"}, &h2);
    CHECK(r2.status == 0);
    CHECK(h2.count("RCPT") == 1);
    CHECK(contains(h2.commands()[2], "RCPT TO:<postmaster@example.net>"));
  }
}

TEST_CASE("release: nothing is lost when the next hop refuses or is down: the file stays", "[quarantine-tool]") {
  Quarantine q;
  std::string id = q.id("discard");
  SECTION("a 5xx") {
    FakeNextHop::Config c;
    c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == "RCPT") return "550 5.1.1 no such user";
      return std::nullopt;
    };
    FakeNextHop hop(c);
    Run r = q.tool({"release", id}, &hop);
    CHECK(r.status == 69);
    CHECK(contains(r.output, "not released: 550 5.1.1 no such user"));
    CHECK(hop.messages().empty());
  }
  SECTION("a next hop that is not there") {
    FakeNextHop::Config c;
    c.listen = false;
    FakeNextHop hop(c);
    Run r = q.tool({"release", id}, &hop);
    CHECK(r.status == 75);
  }
  CHECK(Sandbox::list(q.dir).size() == 2);
}

TEST_CASE("delete and expire", "[quarantine-tool]") {
  Quarantine q;
  SECTION("delete one") {
    CHECK(q.tool({"delete", q.id("reject")}).status == 0);
    CHECK(Sandbox::list(q.dir).size() == 1);
    CHECK(q.tool({"delete", "no-such-id"}).status == 66);
    CHECK(q.tool({"delete", "../quarantine"}).status == 66);
  }
  SECTION("expire keeps what is younger than DAYS") {
    struct timeval old[2] = {{1700000000, 0}, {1700000000, 0}};
    ::utimes((q.dir + "/" + q.id("reject")).c_str(), old);
    Run r = q.tool({"expire", "30"});
    CHECK(r.status == 0);
    CHECK(r.output == "1 expired\n");
    CHECK(Sandbox::list(q.dir) == std::vector<std::string>{q.id("discard")});
  }
  SECTION("expire 0 removes everything") {
    CHECK(q.tool({"expire", "0"}).output == "2 expired\n");
    CHECK(Sandbox::list(q.dir).empty());
  }
}

TEST_CASE("bad usage: exit 64 with the usage", "[quarantine-tool]") {
  Quarantine q;
  CHECK(q.tool({}).status == 64);
  CHECK(q.tool({"show"}).status == 64);
  CHECK(q.tool({"release", q.id("reject"), "--too", "x"}).status == 64);
}
