// config_test.cc - configuration mistakes never bounce mail and always say what is wrong; RSET, the
// hook's environment, a client that goes away (issue 13, SPEC "Command line", "The hook", "SMTP")
//
// Every socket run also checks that nothing but SMTP replies reached the socket.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kBody = "From: a@example.com\r\nSubject: config\r\n\r\nbody\r\n";
const std::string kMessage = "From: a@example.com\nSubject: config\n\nbody\n";

/// A config file in the sandbox, readable by the filter user.
std::string config_file(const Sandbox& box, const std::string& text) {
  std::string path = box.file("spoolgate.conf");
  write_file(path, text);
  ::chmod(path.c_str(), 0644);
  return path;
}

/// The only line spoolgate wrote (CRLF on a socket, LF for pipe(8)), if it wrote one.
std::string only_line(const Run& r) {
  std::string s = r.output;
  std::size_t nl = s.find('\n');
  if (nl == std::string::npos || nl + 1 != s.size()) return "(not one line) " + s;
  s.pop_back();
  if (!s.empty() && s.back() == '\r') s.pop_back();
  return s;
}

}  // namespace

TEST_CASE("a mistake in the config file, on a socket: a 421 4.3.5 greeting naming it, the whole cause logged",
          "[config]") {
  Sandbox box;
  FakeNextHop hop;
  std::string conf = config_file(box, "hook-timout = 30\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--config", conf}), transaction(kBody)});
  CHECK(r.status == 64);
  CHECK(only_replies(r.output));
  CHECK(only_line(r).rfind("421 4.3.5 spoolgate: bad usage: config file " + conf + ", line 1: unknown option 'hook-timout'", 0) == 0);
  CHECK(contains(box.log(), "fatal: bad usage: config file " + conf + ", line 1: unknown option 'hook-timout'"));
  CHECK(hop.connections() == 0);
}

TEST_CASE("a start-up error is logged to the config file's own log file", "[config]") {
  Sandbox box;
  FakeNextHop hop;
  std::string log = box.file("from-config.log");
  std::string conf = config_file(box, "log-file = " + log + "\nhook-output = sideways\n");
  write_file(log, "");
  ::chown(log.c_str(), 65534, 65534);
  Run r = run_spoolgate(box, {hop_args(hop, {"--log=syslog", "--config", conf}), transaction(kBody)});
  CHECK(r.status == 64);
  CHECK(only_replies(r.output));
  CHECK(contains(read_file(log), "fatal: bad usage: --hook-output: 'sideways' is not check, headers or rewrite"));
}

TEST_CASE("--pipe never bounces for a configuration mistake: exit 75 with a 4.3.5 line", "[config]") {
  FakeNextHop hop;
  SECTION("a typo in the config file") {
    Sandbox box;
    std::string conf = config_file(box, "hook-timout = 30\n");
    Run r = run_spoolgate(box, {pipe_args(hop, {"--config", conf}, "s@x", {"r@y"}), kMessage});
    CHECK(r.status == 75);
    CHECK(only_line(r).rfind("4.3.5 spoolgate: bad usage: config file ", 0) == 0);
    CHECK(contains(only_line(r), "unknown option 'hook-timout'"));
  }
  SECTION("a config file the filter user cannot read") {
    Sandbox box;
    std::string conf = config_file(box, "hook-timeout = 30\n");
    ::chmod(conf.c_str(), 0600);  // root's; the run is nobody's
    Run r = run_spoolgate(box, {pipe_args(hop, {"--config", conf}, "s@x", {"r@y"}), kMessage});
    CHECK(r.status == 75);
    CHECK(only_line(r) == "4.3.5 spoolgate: bad usage: cannot read config file " + conf);
  }
  SECTION("a bad option") {
    Sandbox box;
    Run r = run_spoolgate(box, {pipe_args(hop, {"--deadline", "soon"}, "s@x", {"r@y"}), kMessage});
    CHECK(r.status == 75);
    CHECK(only_line(r) == "4.3.5 spoolgate: bad usage: --deadline: 'soon' is not a number of seconds");
  }
  SECTION("root without --user") {
    Sandbox box;
    RunOptions o{pipe_args(hop, {}, "s@x", {"r@y"}), kMessage};
    o.as_root = true;
    Run r = run_spoolgate(box, o);
    CHECK(r.status == 75);
    CHECK(only_line(r).rfind("4.3.5 spoolgate: refusing to run as root", 0) == 0);
  }
  CHECK(hop.messages().empty());
}

TEST_CASE("a log file that cannot be opened is a warning, not a reason to refuse mail", "[config]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--log-file", box.file("no-such-dir/spoolgate.log")}), transaction(kBody)});
  CHECK(r.status == 0);
  CHECK(only_replies(r.output));
  CHECK(hop.messages().size() == 1);
  SECTION("--pipe too") {
    Sandbox b2;
    FakeNextHop h2;
    Run p = run_spoolgate(b2, {pipe_args(h2, {"--log-file", b2.file("no-such-dir/spoolgate.log")}, "s@x", {"r@y"}), kMessage});
    CHECK(p.status == 0);
    CHECK(h2.messages().size() == 1);
  }
}

TEST_CASE("a log file spoolgate creates is mode 0640, and root creates it for --user", "[config]") {
  Sandbox box;
  FakeNextHop hop;
  std::string log = box.file("new.log");
  RunOptions o{hop_args(hop, {"--log-file", log, "--user", "nobody"}), transaction(kBody)};
  o.as_root = true;
  Run r = run_spoolgate(box, o);
  CHECK(r.status == 0);
  struct stat st;
  REQUIRE(::stat(log.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0640);
  CHECK(st.st_uid == 65534);
  CHECK(contains(read_file(log), "verdict=accept"));  // and later runs as nobody can write to it
  Run again = run_spoolgate(box, {hop_args(hop, {"--log-file", log}), transaction(kBody)});
  CHECK(again.status == 0);
  CHECK(contains(read_file(log).substr(read_file(log).find("verdict=accept") + 1), "verdict=accept"));
}

TEST_CASE("a --config file that sets no hook: a warning that every message passes unfiltered", "[config]") {
  Sandbox box;
  FakeNextHop hop;
  std::string conf = config_file(box, "# hook = /usr/libexec/spoolgate/clamav\ntimeout = 60\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--config", conf}), transaction(kBody)});
  CHECK(r.status == 0);
  CHECK(contains(box.log(), "warning: no hook configured in " + conf + ": every message passes unfiltered"));
  CHECK(hop.messages().size() == 1);
}

TEST_CASE("RSET goes to the next hop, which must still be there", "[config]") {
  SECTION("outside a transaction too: Postfix's probe of a cached connection") {
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop), "EHLO x\r\nRSET\r\nQUIT\r\n"});
    CHECK(hop.count("RSET") == 1);
    CHECK(lines(r.output).back() == "221 2.0.0 Bye");
    CHECK(contains(r.output, "\r\n250 2.0.0 Ok\r\n"));
  }
  SECTION("a next hop that has gone: 421, and the session ends") {
    Sandbox box;
    FakeNextHop::Config c;
    c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == "RSET") return "CLOSE";
      return std::nullopt;
    };
    FakeNextHop hop(c);
    Run r = run_spoolgate(box, {hop_args(hop), "EHLO x\r\nRSET\r\nMAIL FROM:<a@b>\r\nQUIT\r\n"});
    CHECK(only_replies(r.output));
    CHECK(lines(r.output).back().rfind("421 4.4.2 ", 0) == 0);
    CHECK(r.status == 75);
    CHECK(hop.count("MAIL") == 0);
  }
}

TEST_CASE("the hook inherits spoolgate's environment; spoolgate's own variables replace inherited ones",
          "[config]") {
  Sandbox box;
  FakeNextHop hop;
  ::setenv("SG_TEST_INHERITED", "yes", 1);
  ::setenv("SPOOLGATE_EXTRA", "kept", 1);
  ::setenv("SPOOLGATE_SENDER", "forged@example.com", 1);
  std::string out = box.file("env");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("env-of") + " " + out}), transaction(kBody)});
  ::unsetenv("SG_TEST_INHERITED");
  ::unsetenv("SPOOLGATE_EXTRA");
  ::unsetenv("SPOOLGATE_SENDER");
  std::string env = read_file(out);
  INFO(env);
  CHECK(contains(env, "\nSG_TEST_INHERITED=yes\n"));
  CHECK(contains(env, "\nSPOOLGATE_EXTRA=kept\n"));
  CHECK(contains(env, "\nSPOOLGATE_SENDER=sender@example.com\n"));
  CHECK_FALSE(contains(env, "forged@example.com"));
  CHECK(contains(env, "\nSPOOLGATE_HOOK_OUTPUT=check\n"));
  CHECK(hop.messages().size() == 1);
}

TEST_CASE("a client that goes away after QUIT while the hook runs", "[config]") {
  const std::string hook_arg = hook("sleeper") + " 2";
  SECTION("on a socket: it has gone; the next hop never sees DATA or a final dot") {
    Sandbox box;
    FakeNextHop hop;
    RunOptions o{hop_args(hop, {"--hook", hook_arg}), transaction(kBody)};
    o.hang_up_early = true;
    Run r = run_spoolgate(box, o);
    CHECK(hop.count("DATA") == 0);
    CHECK(hop.messages().empty());
    CHECK(hop.partial_messages() == 0);
    CHECK(contains(box.log(), "reply=(client disconnected before the verdict)"));
    CHECK(only_replies(r.output));
  }
  SECTION("a transcript piped in by a person, ending with QUIT, is delivered") {
    Sandbox box;
    FakeNextHop hop;
    RunOptions o{hop_args(hop, {"--hook", hook_arg}), transaction(kBody)};
    o.as_pipes = true;
    Run r = run_spoolgate(box, o);
    CHECK(hop.messages().size() == 1);
    CHECK(lines(r.output).back() == "221 2.0.0 Bye");
  }
}

TEST_CASE("--queue-id in --pipe mode: the log line, the hook, the quarantine file's name", "[config]") {
  Sandbox box;
  FakeNextHop hop;
  std::string q = box.subdir("quarantine");
  std::string dir = box.subdir("record");
  Run r = run_spoolgate(box, {pipe_args(hop, {"--queue-id", "4Xq9Tz1", "--hook", hook("record") + " " + dir + " 99 ${queue_id}",
                                              "--quarantine-dir", q},
                                        "s@x", {"r@y"}),
                              kMessage});
  CHECK(r.status == 0);
  CHECK(contains(box.log(), "4Xq9Tz1: from=<s@x>, to=<r@y>, "));
  CHECK(contains(read_file(dir + "/env"), "SPOOLGATE_QUEUE_ID=4Xq9Tz1\n"));
  CHECK(read_file(dir + "/args") == "4Xq9Tz1\n");
  std::vector<std::string> files = Sandbox::list(q);
  REQUIRE(files.size() == 1);
  CHECK(files[0].rfind("4Xq9Tz1-discard-", 0) == 0);
}
