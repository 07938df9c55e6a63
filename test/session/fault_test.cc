// fault_test.cc - faults on every side, and the invariants that must hold through all of them
//
// SPEC "Never lose mail": nothing is answered 250 to the final "." unless the
// next hop answered 250 to it; no partial message is accepted by the next
// hop; every fault is a 4xx upstream (never 5xx of our own, never 250); the
// process ends promptly; no spool file and no hook process is left behind.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kBody = "From: a@example.com\r\nSubject: faults\r\n\r\nbody\r\n";

/// The reply to the final "." of a one-message session, if there was one:
/// the line after "354 ...".
std::string reply_to_dot(const std::string& out) {
  std::vector<std::string> l = lines(out);
  for (std::size_t i = 0; i + 1 < l.size(); ++i)
    if (l[i].rfind("354 ", 0) == 0) return l[i + 1];
  return "";
}

/// Under AddressSanitizer (scripts/test.sh sets ASAN_OPTIONS) memory figures
/// mean nothing: the shadow memory dwarfs ours.
bool sanitized() { return std::getenv("ASAN_OPTIONS") != nullptr; }

/// The invariants that hold whatever the fault.
void check_invariants(const Run& r, const FakeNextHop& hop, const std::string& spool_dir, bool hop_said_250) {
  CHECK(only_replies(r.output));
  CHECK_FALSE(r.timed_out);
  CHECK((hop.partial_messages() == 0 || hop.messages().empty()));
  std::string dot = reply_to_dot(r.output);
  if (dot.rfind("250", 0) == 0) {
    CHECK(hop.messages().size() == 1);
    CHECK(hop_said_250);
  }
  CHECK(Sandbox::list(spool_dir).empty());
}

}  // namespace

TEST_CASE("next hop faults at every step: the invariants hold", "[faults]") {
  struct Fault {
    std::string step;    // the command whose reply is replaced, "DOT" for the final "."
    std::string action;  // a reply, or CLOSE / STALL / RAW:...
    std::string expect;  // prefix of the reply to ".", or of the last line when no DATA
    int status;
  };
  const std::string garbage = "RAW:garbage\r\n";
  const std::string too_long = "RAW:250 " + std::string(5000, 'x') + "\r\n";
  std::vector<Fault> faults = {
      {"CONNECT", "CLOSE", "421 4.3.0", 75},
      {"CONNECT", "STALL", "421 4.3.0", 75},
      {"CONNECT", garbage, "421 4.3.0", 75},
      {"CONNECT", "421 4.3.2 busy", "421 4.3.0", 75},
      {"CONNECT", "554 5.7.1 go away", "421 4.3.0", 75},
      {"EHLO", "CLOSE", "421 4.3.0", 75},
      {"EHLO", "STALL", "421 4.3.0", 75},
      {"EHLO", too_long, "421 4.3.0", 75},
      {"MAIL", "CLOSE", "421 4.4.2", 75},
      {"MAIL", "STALL", "421 4.4.2", 75},
      {"MAIL", garbage, "421 4.3.0", 75},
      {"MAIL", too_long, "421 4.3.0", 75},
      {"MAIL", "421 4.3.2 shutting down", "421 4.3.2", 75},
      {"MAIL", "451 4.3.0 try later", "451 4.3.0", 0},
      {"MAIL", "553 5.1.8 bad sender", "553 5.1.8", 0},
      {"RCPT", "CLOSE", "421 4.4.2", 75},
      {"RCPT", "STALL", "421 4.4.2", 75},
      {"RCPT", garbage, "421 4.3.0", 75},
      {"RCPT", "450 4.2.0 greylisted", "450 4.2.0", 0},
      {"RCPT", "550 5.1.1 unknown", "550 5.1.1", 0},
      {"DATA", "CLOSE", "421 4.4.2", 75},
      {"DATA", "STALL", "421 4.4.2", 75},
      {"DATA", garbage, "421 4.3.0", 75},
      {"DATA", "RAW:250 2.0.0 not 354\r\n", "421 4.3.0", 75},
      {"DATA", "451 4.3.0 no", "451 4.3.0", 0},
      {"DATA", "554 5.5.1 no", "554 5.5.1", 0},
      {"DATA", "354-CLOSE", "421 4.4.2", 75},
      {"DATA", "354-STALL", "421 4.4.2", 75},
      {"DOT", "CLOSE", "421 4.4.2", 75},
      {"DOT", "STALL", "421 4.4.2", 75},
      {"DOT", garbage, "421 4.3.0", 75},
      {"DOT", too_long, "421 4.3.0", 75},
      {"DOT", "421 4.3.2 closing", "421 4.3.2", 75},
      {"DOT", "452 4.3.1 full", "452 4.3.1", 0},
      {"DOT", "554 5.7.1 refused", "554 5.7.1", 0},
  };
  for (const Fault& f : faults) {
    Sandbox box;
    std::string spool = box.subdir("spool");
    FakeNextHop::Config cfg;
    cfg.script = [f](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == f.step) return f.action;
      return std::nullopt;
    };
    if (f.step == "DOT") cfg.on_message = [f](const std::string&, int) -> std::optional<std::string> { return f.action; };
    FakeNextHop hop(cfg);
    Run r = run_spoolgate(box, {hop_args(hop, {"--timeout", "1", "--spool-dir", spool, "--spool-memory", "0"}),
                                transaction(kBody)});
    INFO(f.step << " " << f.action.substr(0, 40) << "\n" << r.output << box.log());
    check_invariants(r, hop, spool, false);
    std::string dot = reply_to_dot(r.output);
    std::string last = lines(r.output).empty() ? "" : lines(r.output).back();
    bool data_reached = f.step == "DATA" || f.step == "DOT";
    const std::string& where = data_reached ? dot : (f.status == 75 ? last : r.output);
    CHECK(where.find(f.expect) != std::string::npos);
    CHECK(r.status == f.status);
    CHECK(r.seconds < 8);
    CHECK(hop.messages().size() == (f.step == "DOT" ? 1u : 0u));
  }
}

TEST_CASE("the next hop gone after accepting: the client still gets its 250", "[faults]") {
  // the 250 to "." is the next hop's; losing it afterwards (at QUIT) loses nothing
  Sandbox box;
  FakeNextHop::Config cfg;
  cfg.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "QUIT") return "CLOSE";
    return std::nullopt;
  };
  FakeNextHop hop(cfg);
  Run r = run_spoolgate(box, {hop_args(hop, {}), transaction(kBody)});
  CHECK(reply_to_dot(r.output) == "250 2.0.0 Ok: queued as FAKE1");
  CHECK(lines(r.output).back() == "221 2.0.0 Bye");
  CHECK(r.status == 0);
}

TEST_CASE("the client breaks off mid-command, mid-DATA, during the hook", "[faults]") {
  struct Cut {
    std::string input;
    std::vector<std::string> hook;
  } cuts[] = {
      {"EHLO c\r\nMAIL FROM:<a@b", {}},
      {"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: cut\r\n\r\nhalf", {}},
      {"EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nSubject: cut\r\n\r\nbody\r\n.\r\n", {"sleeper", "1"}},
  };
  for (const Cut& c : cuts) {
    Sandbox box;
    std::string spool = box.subdir("spool");
    FakeNextHop hop;
    std::vector<std::string> a = {"--spool-dir", spool, "--spool-memory", "0"};
    if (!c.hook.empty()) a.insert(a.end(), {"--hook", hook(c.hook[0]) + " " + c.hook[1]});
    Run r = run_spoolgate(box, {hop_args(hop, a), c.input});
    INFO(c.input);
    CHECK(only_replies(r.output));
    CHECK(hop.messages().empty());
    CHECK(hop.partial_messages() == 0);
    CHECK(r.status == 0);
    CHECK(Sandbox::list(spool).empty());
    CHECK(hop.wait_closed(1, 5000));  // the next hop connection ends too
  }
}

// ---------------------------------------------------------------- signals

TEST_CASE("SIGTERM mid-message: 421, exit 75, the hook killed, nothing delivered, nothing left", "[signals]") {
  Sandbox box;
  std::string spool = box.subdir("spool");
  std::string mark = box.file("hook-running");
  FakeNextHop hop;
  RunOptions o{hop_args(hop, {"--hook", hook("mark-and-sleep") + " " + mark + " 77", "--spool-dir", spool,
                              "--spool-memory", "0"}),
               transaction(kBody)};
  o.after_input = [&](int, pid_t pid) {
    REQUIRE(wait_for_file(mark, 10000));
    ::kill(pid, SIGTERM);
  };
  Run r = run_spoolgate(box, o);
  CHECK(lines(r.output).back() == "421 4.3.2 localhost Service shutting down");
  CHECK(r.status == 75);
  CHECK(hop.messages().empty());
  CHECK(hop.partial_messages() == 0);
  CHECK(Sandbox::list(spool).empty());
  CHECK(count_processes("sleep 77") == 0);
}

TEST_CASE("SIGKILL mid-message: the hook dies too, no file remains, nothing delivered", "[signals]") {
  Sandbox box;
  std::string spool = box.subdir("spool");
  std::string mark = box.file("hook-running");
  FakeNextHop hop;
  RunOptions o{hop_args(hop, {"--hook", hook("mark-and-sleep") + " " + mark + " 78", "--spool-dir", spool,
                              "--spool-memory", "0"}),
               transaction(kBody)};
  o.after_input = [&](int, pid_t pid) {
    REQUIRE(wait_for_file(mark, 10000));
    ::kill(pid, SIGKILL);
  };
  Run r = run_spoolgate(box, o);
  CHECK(r.status == 128 + SIGKILL);
  CHECK(only_replies(r.output));
  CHECK(hop.messages().empty());
  CHECK(Sandbox::list(spool).empty());
  // PR_SET_PDEATHSIG: the hook is killed by the kernel when spoolgate dies
  int left = 1;
  for (int i = 0; i < 200 && (left = count_processes("sleep 78")) != 0; ++i) ::usleep(10000);
  CHECK(left == 0);
}

TEST_CASE("SIGKILL mid-message: the hook's own children die too", "[signals]") {
  // a shell hook whose scanner runs as its child: PR_SET_PDEATHSIG on the
  // hook alone would leave the scanner running; the HookWatcher kills its group
  Sandbox box;
  std::string mark = box.file("hook-running");
  FakeNextHop hop;
  std::string seconds = std::to_string(1000 + ::getpid() % 9000);  // a command line of its own
  std::string sleeper = "sleep " + seconds;
  RunOptions o{hop_args(hop, {"--hook", hook("mark-and-sleep-child") + " " + mark + " " + seconds}),
               transaction(kBody)};
  int running = 0;
  o.after_input = [&](int, pid_t pid) {
    if (wait_for_file(mark, 10000)) {
      for (int i = 0; i < 200 && (running = count_processes(sleeper)) == 0; ++i) ::usleep(10000);
    }
    ::kill(pid, SIGKILL);
  };
  Run r = run_spoolgate(box, o);
  CHECK(running == 1);
  CHECK(r.status == 128 + SIGKILL);
  CHECK(hop.messages().empty());
  int left = 1;
  for (int i = 0; i < 300 && (left = count_processes(sleeper)) != 0; ++i) ::usleep(10000);
  CHECK(left == 0);
}

// ---------------------------------------------------------------- resources

TEST_CASE("no disk for the spool: 451 4.3.0, never 250, never 5xx", "[resources]") {
  for (const char* memory : {"0", "1M"}) {  // straight to disk, or a memfd past the file size limit
    Sandbox box;
    std::string spool = box.subdir("spool");
    FakeNextHop hop;
    RunOptions o{hop_args(hop, {"--spool-dir", spool, "--spool-memory", memory}),
                 transaction(kBody + std::string(300000, 'x') + "\r\n")};
    o.file_size_limit = 100000;
    Run r = run_spoolgate(box, o);
    INFO(memory << "\n" << r.output << box.log());
    CHECK(reply_to_dot(r.output).rfind("451 4.3.0", 0) == 0);
    CHECK(hop.messages().empty());
    CHECK(hop.count("RSET") == 1);
    CHECK(r.status == 0);
    CHECK(Sandbox::list(spool).empty());
  }
}

TEST_CASE("a spool directory that does not exist or is not writable: 451 4.3.0", "[resources]") {
  Sandbox box;
  std::string ro = box.file("read-only");
  ::mkdir(ro.c_str(), 0555);
  for (std::string dir : {box.file("missing"), ro}) {
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop, {"--spool-dir", dir, "--spool-memory", "0"}), transaction(kBody)});
    INFO(dir << "\n" << r.output);
    CHECK(reply_to_dot(r.output).rfind("451 4.3.0", 0) == 0);
    CHECK(hop.messages().empty());
  }
}

TEST_CASE("memory stays bounded for a large message and a huge line", "[resources]") {
  // the message streams through a fixed buffer into the spool: peak RSS does
  // not grow with the message (the memfd's pages are not mapped by us)
  Sandbox box;
  FakeNextHop::Config unlimited;
  unlimited.ehlo = {"fake.example", "PIPELINING", "SIZE", "8BITMIME"};
  FakeNextHop hop(unlimited);
  std::string big(30 * 1024 * 1024, 'x');
  for (std::size_t i = 1000; i < big.size(); i += 1000) big[i - 2] = '\r', big[i - 1] = '\n';
  Run r = run_spoolgate(box, {hop_args(hop, {"--spool-dir", box.path()}), transaction(big + "\r\n"), true, 120000});
  CHECK(reply_to_dot(r.output) == "250 2.0.0 Ok: queued as FAKE1");
  if (!sanitized()) CHECK(r.max_rss_kb < 16 * 1024);
  Sandbox box2;
  FakeNextHop hop2(unlimited);
  Run r2 = run_spoolgate(box2, {hop_args(hop2, {"--spool-dir", box2.path()}),
                                transaction(std::string(10 * 1024 * 1024, 'y') + "\r\n"), true, 120000});
  CHECK(reply_to_dot(r2.output) == "250 2.0.0 Ok: queued as FAKE1");
  if (!sanitized()) CHECK(r2.max_rss_kb < 16 * 1024);
}

// ---------------------------------------------------------------- limits

TEST_CASE("hostile input: an endless command line, 1100 recipients, endless bad commands", "[limits]") {
  SECTION("a 10 MB command line gets one 500, memory stays bounded") {
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop, {}), "EHLO c\r\n" + std::string(10 * 1024 * 1024, 'A') + "\r\nQUIT\r\n",
                                true, 60000});
    std::vector<std::string> l = lines(r.output);
    REQUIRE(l.size() >= 3);
    CHECK(l[l.size() - 2] == "500 5.5.2 Error: line too long");
    CHECK(l.back() == "221 2.0.0 Bye");
    if (!sanitized()) CHECK(r.max_rss_kb < 16 * 1024);
  }
  SECTION("recipients past 1000 get 452 4.5.3, the first 1000 go through") {
    Sandbox box;
    FakeNextHop hop;
    std::string in = "EHLO c\r\nMAIL FROM:<a@b>\r\n";
    for (int i = 0; i < 1100; ++i) in += "RCPT TO:<r" + std::to_string(i) + "@example.net>\r\n";
    in += "QUIT\r\n";
    Run r = run_spoolgate(box, {hop_args(hop, {}), in});
    std::vector<std::string> l = lines(r.output);
    int ok = 0, full = 0;
    for (const std::string& x : l) ok += x == "250 2.1.5 Ok", full += x == "452 4.5.3 Error: too many recipients";
    CHECK(ok == 1000);
    CHECK(full == 100);
    CHECK(hop.count("RCPT") == 1000);
  }
}

// ---------------------------------------------------------------- security

TEST_CASE("started with stderr closed: log lines never reach a socket", "[security]") {
  // A closed descriptor 2 would be taken by the next one opened, here the
  // next hop's socket, and --log stderr would write into the SMTP dialogue.
  Sandbox box;
  FakeNextHop hop;
  RunOptions o{hop_args(hop, {"--log", "stderr", "-v"}), transaction(kBody)};
  o.close_stderr = true;
  Run r = run_spoolgate(box, o);
  CHECK(r.status == 0);
  CHECK(only_replies(r.output));
  CHECK(hop.messages().size() == 1);
  std::vector<std::string> cmds = hop.commands();
  REQUIRE(!cmds.empty());
  for (const std::string& c : cmds) {
    std::string verb = c.substr(0, c.find(' '));
    bool smtp = verb == "EHLO" || verb == "HELO" || verb == "MAIL" || verb == "RCPT" || verb == "DATA" ||
                verb == "RSET" || verb == "NOOP" || verb == "QUIT" || verb == "XFORWARD";
    CHECK(smtp);
    if (!smtp) UNSCOPED_INFO("not SMTP: " << c);
  }
}

TEST_CASE("--user drops every privilege, supplementary groups included, and spools are 0600", "[security]") {
  if (::geteuid() != 0) return;  // only meaningful when started as root
  for (const char* memory : {"1M", "0"}) {
    Sandbox box;
    std::string out = box.file("status");
    FakeNextHop hop;
    RunOptions o{hop_args(hop, {"--user", "nobody", "--hook", hook("status") + " " + out, "--spool-dir",
                                box.path(), "--spool-memory", memory}),
                 transaction(kBody)};
    o.as_root = true;
    Run r = run_spoolgate(box, o);
    std::string st = read_file(out);
    INFO(st << r.output);
    CHECK(st.find("Uid:\t65534\t65534\t65534\t65534") != std::string::npos);
    CHECK(st.find("Groups:\t65534") != std::string::npos);
    CHECK(st.find("stdin-mode=600") != std::string::npos);
    CHECK(reply_to_dot(r.output) == "250 2.0.0 Ok: queued as FAKE1");
  }
  SECTION("root without --user: exit 78, a 421 4.3.5 greeting, the cause in the log") {
    Sandbox box;
    FakeNextHop hop;
    RunOptions o{hop_args(hop, {}), transaction(kBody)};
    o.as_root = true;
    Run r = run_spoolgate(box, o);
    CHECK(r.status == 78);
    CHECK(only_replies(r.output));
    CHECK(r.output.rfind("421 4.3.5 spoolgate: refusing to run as root", 0) == 0);
    CHECK(hop.connections() == 0);
  }
}
