// options_test.cc - unit tests of options.h: the command line and the --config file
#include "spoolgate/options.h"
#include "spoolgate/net.h"

#include <unistd.h>

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <initializer_list>
#include <string>
#include <vector>

using namespace spoolgate;
using namespace std::chrono_literals;

namespace {

using Strings = std::vector<std::string>;

// parse - argv[0] is "spoolgate", then `args`
Options parse(std::initializer_list<const char*> args) {
  std::vector<const char*> argv{"spoolgate"};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(nullptr);
  return parse_options(static_cast<int>(argv.size() - 1), argv.data());
}

// ConfigFile - a temporary config file, removed afterwards
class ConfigFile {
 public:
  explicit ConfigFile(const std::string& text) {
    char dir[] = "/tmp/spoolgate-options-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    dir_ = dir;
    path_ = dir_ + "/spoolgate.conf";
    std::ofstream out(path_);
    out << text;
    REQUIRE(out.good());
  }
  ~ConfigFile() {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
  const char* path() const { return path_.c_str(); }

 private:
  std::string dir_, path_;
};

}  // namespace

TEST_CASE("parse_options: the defaults of SPEC", "[options]") {
  Options o = parse({});
  CHECK(o.next_hop.endpoint.host == "127.0.0.1");
  CHECK(o.next_hop.endpoint.port == "10026");
  CHECK(o.filter.hooks.empty());
  CHECK(o.filter.limits.timeout == 60s);
  CHECK(o.add_headers.empty());
  CHECK(o.filter.add_header_wire.empty());
  const char* tmpdir = std::getenv("TMPDIR");
  CHECK(o.filter.limits.spool.dir == (tmpdir && *tmpdir ? tmpdir : "/tmp"));
  CHECK(o.filter.limits.spool.memory == 1024 * 1024);
  CHECK(o.filter.quarantine_dir.empty());
  CHECK(o.hostname == "localhost");
  CHECK(o.user.empty());
  CHECK(o.max_size == 0);
  CHECK(o.timeout == 300s);
  CHECK(o.log_target == log::Target::syslog);
  CHECK(o.log_file.empty());
  CHECK_FALSE(o.verbose);
  CHECK_FALSE(o.pipe);
  CHECK(o.deadline == 600s);
  CHECK_FALSE(o.sender);
  CHECK(o.recipients.empty());
  CHECK_FALSE(o.help);
  CHECK_FALSE(o.version);
}

TEST_CASE("parse_options: positional HOST PORT, as in master.cf", "[options]") {
  SECTION("host and port") {
    Options o = parse({"localhost", "10026"});
    CHECK(o.next_hop.endpoint.host == "localhost");
    CHECK(o.next_hop.endpoint.port == "10026");
  }
  SECTION("host alone keeps the default port") {
    Options o = parse({"mx.example.com"});
    CHECK(o.next_hop.endpoint.host == "mx.example.com");
    CHECK(o.next_hop.endpoint.port == "10026");
  }
  SECTION("an IPv6 address in brackets") {
    Options o = parse({"[::1]", "2525"});
    CHECK(o.next_hop.endpoint.host == "::1");
    CHECK(o.next_hop.endpoint.port == "2525");
  }
  SECTION("after options") {
    Options o = parse({"--hostname", "filter.example", "127.0.0.2", "10027"});
    CHECK(o.hostname == "filter.example");
    CHECK(o.next_hop.endpoint.host == "127.0.0.2");
    CHECK(o.next_hop.endpoint.port == "10027");
  }
  SECTION("a third word is an error") {
    CHECK_THROWS_AS(parse({"a", "25", "extra"}), UsageError);
  }
}

TEST_CASE("parse_options: --next-hop forms", "[options]") {
  SECTION("host:port") {
    Options o = parse({"--next-hop", "relay.example:2525"});
    CHECK(o.next_hop.endpoint.host == "relay.example");
    CHECK(o.next_hop.endpoint.port == "2525");
  }
  SECTION("--next-hop=host:port") {
    Options o = parse({"--next-hop=127.0.0.1:10030"});
    CHECK(o.next_hop.endpoint.host == "127.0.0.1");
    CHECK(o.next_hop.endpoint.port == "10030");
  }
  SECTION("[::1]:port") {
    Options o = parse({"--next-hop", "[::1]:10026"});
    CHECK(o.next_hop.endpoint.host == "::1");
    CHECK(o.next_hop.endpoint.port == "10026");
  }
  SECTION("host without a port") {
    Options o = parse({"--next-hop", "relay.example"});
    CHECK(o.next_hop.endpoint.host == "relay.example");
    CHECK(o.next_hop.endpoint.port == "10026");
  }
  SECTION("[addr] without a port") {
    Options o = parse({"--next-hop", "[2001:db8::25]"});
    CHECK(o.next_hop.endpoint.host == "2001:db8::25");
    CHECK(o.next_hop.endpoint.port == "10026");
  }
  SECTION("malformed") {
    for (const char* bad : {"::1", "::1:25", "host:", ":25", "[::1", "[]:25", "[::1]25", "[::1]:", ""}) {
      INFO(bad);
      CHECK_THROWS_AS(parse({"--next-hop", bad}), UsageError);
    }
  }
}

TEST_CASE("parse_options: positional HOST and --next-hop together is an error", "[options]") {
  CHECK_THROWS_AS(parse({"--next-hop", "a:25", "b", "25"}), UsageError);
  CHECK_THROWS_AS(parse({"b", "--next-hop=a:25"}), UsageError);
}

TEST_CASE("split_host_port", "[options]") {
  std::string host, port = "unchanged";
  CHECK(split_host_port("h:1", &host, &port));
  CHECK(host == "h");
  CHECK(port == "1");
  port = "unchanged";
  CHECK(split_host_port("[fe80::1]", &host, &port));
  CHECK(host == "fe80::1");
  CHECK(port == "unchanged");
  CHECK_FALSE(split_host_port("", &host, &port));
  CHECK_FALSE(split_host_port("a:b:c", &host, &port));
}

TEST_CASE("parse_bytes: digits with k, M or G", "[options]") {
  CHECK(parse_bytes("max-size", "0") == 0);
  CHECK(parse_bytes("max-size", "1048576") == 1048576);
  CHECK(parse_bytes("max-size", "64k") == 65536);
  CHECK(parse_bytes("max-size", "64K") == 65536);
  CHECK(parse_bytes("max-size", "1M") == 1048576);
  CHECK(parse_bytes("max-size", "2G") == 2147483648ULL);
  for (const char* bad : {"", "k", "1.5M", "-1", "+1", "1MB", "1 M", " 1", "10x", "1e6", "0x10",
                          "99999999999999999999", "17179869184G"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_bytes("max-size", bad), UsageError);
  }
  SECTION("the message names the option") {
    CHECK_THROWS_WITH(parse_bytes("spool-memory", "lots"),
                      Catch::Contains("--spool-memory") && Catch::Contains("lots"));
  }
}

TEST_CASE("parse_seconds: seconds, decimals allowed, more than zero", "[options]") {
  CHECK(parse_seconds("timeout", "60") == 60s);
  CHECK(parse_seconds("timeout", "0.5") == 500ms);
  CHECK(parse_seconds("timeout", "2.25") == 2250ms);
  CHECK(parse_seconds("timeout", "1.001") == 1001ms);
  CHECK(parse_seconds("timeout", "86400") == 86400s);
  for (const char* bad : {"", "0", "0.0", "00", "0.0001", "-1", "+1", ".5", "1,5", "1e3", "5s", "1m", "abc",
                          "86401", "999999999999999"}) {
    INFO(bad);
    CHECK_THROWS_AS(parse_seconds("timeout", bad), UsageError);
  }
  SECTION("the message names the option") {
    CHECK_THROWS_WITH(parse_seconds("hook-timeout", "soon"), Catch::Contains("--hook-timeout"));
  }
}

TEST_CASE("parse_options: size and time options", "[options]") {
  Options o = parse({"--spool-memory", "64k", "--max-size", "10M", "--hook-timeout", "2.5", "--timeout", "30",
                     "--deadline", "900"});
  CHECK(o.filter.limits.spool.memory == 65536);
  CHECK(o.max_size == 10 * 1024 * 1024);
  CHECK(o.filter.limits.timeout == 2500ms);
  CHECK(o.timeout == 30s);
  CHECK(o.deadline == 900s);
}

TEST_CASE("parse_options: every bad value is a UsageError", "[options]") {
  SECTION("sizes") {
    CHECK_THROWS_AS(parse({"--spool-memory", "1.5M"}), UsageError);
    CHECK_THROWS_AS(parse({"--max-size", "big"}), UsageError);
    CHECK_THROWS_AS(parse({"--max-size", "-5"}), UsageError);
  }
  SECTION("zero or bad timeouts") {
    CHECK_THROWS_AS(parse({"--hook-timeout", "0"}), UsageError);
    CHECK_THROWS_AS(parse({"--timeout", "0"}), UsageError);
    CHECK_THROWS_AS(parse({"--deadline", "0"}), UsageError);
    CHECK_THROWS_AS(parse({"--timeout", "1m"}), UsageError);
  }
  SECTION("--hook-output") {
    CHECK_THROWS_AS(parse({"--hook-output", "header"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook-output", "CHECK"}), UsageError);
  }
  SECTION("--log") {
    CHECK_THROWS_AS(parse({"--log", "file"}), UsageError);
    CHECK_THROWS_AS(parse({"--log", ""}), UsageError);
  }
  SECTION("unknown option") {
    CHECK_THROWS_AS(parse({"--bogus"}), UsageError);
    CHECK_THROWS_AS(parse({"--bogus=1"}), UsageError);
    CHECK_THROWS_AS(parse({"-x"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook-out", "check"}), UsageError);  // no abbreviations
  }
  SECTION("an option without its value") {
    CHECK_THROWS_AS(parse({"--hook"}), UsageError);
    CHECK_THROWS_AS(parse({"--timeout"}), UsageError);
  }
  SECTION("--add-header") {
    CHECK_THROWS_AS(parse({"--add-header", "NoColon"}), UsageError);
    CHECK_THROWS_AS(parse({"--add-header", "X Bad: v"}), UsageError);
    CHECK_THROWS_AS(parse({"--add-header", ""}), UsageError);
    CHECK_THROWS_AS(parse({"--add-header", "X-A: 1\n\nbody"}), UsageError);
    CHECK_THROWS_AS(parse({"--add-header", "X-A: a\rb"}), UsageError);
    CHECK_THROWS_AS(parse({"--add-header", " X-A: continuation first"}), UsageError);
  }
  SECTION("--hook") {
    CHECK_THROWS_AS(parse({"--hook", "/bin/filter 'unbalanced"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook", "/bin/filter \"unbalanced"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook", "/bin/filter trailing\\"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook", "/bin/filter ${nosuch}"}), UsageError);
    CHECK_THROWS_AS(parse({"--hook", "/bin/filter ${sender"}), UsageError);
  }
  SECTION("--hostname") {
    CHECK_THROWS_AS(parse({"--hostname", "a b"}), UsageError);
    CHECK_THROWS_AS(parse({"--hostname", ""}), UsageError);
  }
  SECTION("the message names the option") {
    CHECK_THROWS_WITH(parse({"--hook-output", "header"}), Catch::Contains("--hook-output"));
    CHECK_THROWS_WITH(parse({"--log", "file"}), Catch::Contains("--log"));
    CHECK_THROWS_WITH(parse({"--hook", "'x"}), Catch::Contains("--hook"));
    CHECK_THROWS_WITH(parse({"--bogus"}), Catch::Contains("bogus"));
  }
}

TEST_CASE("parse_options: --hook is split, macros kept for later", "[options]") {
  Options o = parse({"--hook", "/usr/local/bin/scan --from '${sender}' \"a b\" ${recipient}"});
  CHECK(o.filter.hooks.at(0).command == "/usr/local/bin/scan --from '${sender}' \"a b\" ${recipient}");
  CHECK(o.filter.hooks.at(0).words == Strings{"/usr/local/bin/scan", "--from", "${sender}", "a b", "${recipient}"});
}

TEST_CASE("parse_options: --hook-output, --log and switches", "[options]") {
  CHECK(parse({"--hook", "x", "--hook-output", "headers"}).filter.hooks.at(0).output == HookOutput::headers);
  CHECK(parse({"--hook", "x", "--hook-output", "rewrite"}).filter.hooks.at(0).output == HookOutput::rewrite);
  CHECK(parse({"--hook", "x", "--hook-output=check"}).filter.hooks.at(0).output == HookOutput::check);
  CHECK(parse({"--hook", "x"}).filter.hooks.at(0).output == HookOutput::check);
  CHECK(parse({"--log", "stderr"}).log_target == log::Target::stderr_);
  CHECK(parse({"--log", "none"}).log_target == log::Target::none);
  Options f = parse({"--log-file", "/var/log/spoolgate.log"});
  CHECK(f.log_target == log::Target::file);
  CHECK(f.log_file == "/var/log/spoolgate.log");
  CHECK(parse({"-v"}).verbose);
  CHECK(parse({"--verbose"}).verbose);
  CHECK(parse({"--help"}).help);
  CHECK(parse({"-h"}).help);
  CHECK(parse({"--version"}).version);
}

TEST_CASE("parse_options: --add-header is repeatable and checked into wire form", "[options]") {
  Options o = parse({"--add-header", "X-Filtered-By: spoolgate", "--add-header", "X-Second: 2"});
  CHECK(o.add_headers == Strings{"X-Filtered-By: spoolgate", "X-Second: 2"});
  CHECK(o.filter.add_header_wire == "X-Filtered-By: spoolgate\r\nX-Second: 2\r\n");
}

TEST_CASE("parse_options: other string options", "[options]") {
  Options o = parse({"--spool-dir", "/var/spool/sg", "--quarantine-dir", "/var/quarantine", "--user", "filter"});
  CHECK(o.filter.limits.spool.dir == "/var/spool/sg");
  CHECK(o.filter.quarantine_dir == "/var/quarantine");
  CHECK(o.user == "filter");
}

TEST_CASE("parse_options: --config file", "[options]") {
  ConfigFile conf(
      "# spoolgate configuration\n"
      "\n"
      "next-hop = [::1]:10030\n"
      "hook = /usr/bin/scan -q '${sender}'\n"
      "   # an indented comment\n"
      "hook-output = headers\n"
      "hook-timeout = 2.5\n"
      "add-header = X-Scanned: yes\n"
      "add-header = X-Scanner: spoolgate=1\n"
      "spool-memory = 64k\n"
      "hostname=filter.example\n"
      "verbose = true\n"
      "pipe = false\n"
      "log = none\n");
  Options o = parse({"--config", conf.path()});
  CHECK(o.next_hop.endpoint.host == "::1");
  CHECK(o.next_hop.endpoint.port == "10030");
  CHECK(o.filter.hooks.at(0).words == Strings{"/usr/bin/scan", "-q", "${sender}"});
  CHECK(o.filter.hooks.at(0).output == HookOutput::headers);
  CHECK(o.filter.limits.timeout == 2500ms);
  CHECK(o.add_headers == Strings{"X-Scanned: yes", "X-Scanner: spoolgate=1"});
  CHECK(o.filter.add_header_wire == "X-Scanned: yes\r\nX-Scanner: spoolgate=1\r\n");
  CHECK(o.filter.limits.spool.memory == 65536);
  CHECK(o.hostname == "filter.example");
  CHECK(o.verbose);
  CHECK_FALSE(o.pipe);
  CHECK(o.log_target == log::Target::none);
}

TEST_CASE("parse_options: the command line replaces the file's values", "[options]") {
  ConfigFile conf(
      "hook-timeout = 30\n"
      "add-header = X-File-1: a\n"
      "add-header = X-File-2: b\n"
      "next-hop = file.example:25\n"
      "hostname = from-file\n");
  SECTION("a single value") {
    Options o = parse({"--config", conf.path(), "--hook-timeout", "5"});
    CHECK(o.filter.limits.timeout == 5s);
    CHECK(o.hostname == "from-file");
  }
  SECTION("the option before --config") {
    Options o = parse({"--hostname", "from-cli", "--config", conf.path()});
    CHECK(o.hostname == "from-cli");
  }
  SECTION("a list, as a whole") {
    Options o = parse({"--add-header", "X-Cli: c", "--config", conf.path()});
    CHECK(o.add_headers == Strings{"X-Cli: c"});
    CHECK(o.filter.add_header_wire == "X-Cli: c\r\n");
  }
  SECTION("positional HOST PORT replace the file's next-hop") {
    Options o = parse({"--config", conf.path(), "cli.example", "2525"});
    CHECK(o.next_hop.endpoint.host == "cli.example");
    CHECK(o.next_hop.endpoint.port == "2525");
  }
  SECTION("--next-hop replaces the file's next-hop") {
    Options o = parse({"--config", conf.path(), "--next-hop", "cli.example:26"});
    CHECK(o.next_hop.endpoint.host == "cli.example");
    CHECK(o.next_hop.endpoint.port == "26");
  }
  SECTION("without the command line, the file's values") {
    Options o = parse({"--config", conf.path()});
    CHECK(o.filter.limits.timeout == 30s);
    CHECK(o.add_headers == Strings{"X-File-1: a", "X-File-2: b"});
    CHECK(o.next_hop.endpoint.host == "file.example");
    CHECK(o.next_hop.endpoint.port == "25");
  }
}

TEST_CASE("parse_options: a switch set in the file", "[options]") {
  ConfigFile conf("verbose = true\n");
  CHECK(parse({"--config", conf.path()}).verbose);
  ConfigFile off("verbose = false\n");
  CHECK_FALSE(parse({"--config", off.path()}).verbose);
  CHECK(parse({"--config", off.path(), "-v"}).verbose);
}

TEST_CASE("parse_options: bad config files", "[options]") {
  SECTION("unknown name") {
    ConfigFile conf("hook = /bin/true\nbogus = 1\n");
    CHECK_THROWS_WITH(parse({"--config", conf.path()}), Catch::Contains("bogus") && Catch::Contains("line 2"));
  }
  SECTION("a line without '='") {
    ConfigFile conf("verbose\n");
    CHECK_THROWS_AS(parse({"--config", conf.path()}), UsageError);
  }
  SECTION("a switch that is not true or false") {
    ConfigFile conf("verbose = maybe\n");
    CHECK_THROWS_AS(parse({"--config", conf.path()}), UsageError);
  }
  SECTION("a bad value") {
    ConfigFile conf("timeout = 0\n");
    CHECK_THROWS_AS(parse({"--config", conf.path()}), UsageError);
  }
  SECTION("a bad hook") {
    ConfigFile conf("hook = /bin/scan 'open\n");
    CHECK_THROWS_AS(parse({"--config", conf.path()}), UsageError);
  }
  SECTION("config inside a config") {
    ConfigFile conf("config = /etc/other.conf\n");
    CHECK_THROWS_AS(parse({"--config", conf.path()}), UsageError);
  }
  SECTION("a file that is not there") {
    CHECK_THROWS_WITH(parse({"--config", "/nonexistent/spoolgate.conf"}),
                      Catch::Contains("/nonexistent/spoolgate.conf"));
  }
}

TEST_CASE("parse_options: --pipe with -f and recipients after \"--\"", "[options]") {
  SECTION("pipe(8)'s argv") {
    Options o = parse({"--pipe", "-f", "sender@example.com", "--", "r1@example.org", "r2@example.net"});
    CHECK(o.pipe);
    REQUIRE(o.sender);
    CHECK(*o.sender == "sender@example.com");
    CHECK(o.recipients == Strings{"r1@example.org", "r2@example.net"});
  }
  SECTION("-f \"\" is the null sender") {
    Options o = parse({"--pipe", "-f", "", "--", "r@x"});
    REQUIRE(o.sender);
    CHECK(o.sender->empty());
    CHECK(o.recipients == Strings{"r@x"});
  }
  SECTION("--sender and a next hop") {
    Options o = parse({"--pipe", "--sender", "s@x", "relay.example", "2525", "--", "r@x"});
    REQUIRE(o.sender);
    CHECK(*o.sender == "s@x");
    CHECK(o.next_hop.endpoint.host == "relay.example");
    CHECK(o.next_hop.endpoint.port == "2525");
  }
  SECTION("recipients that look like options") {
    Options o = parse({"--pipe", "-f", "s@x", "--", "-v@x", "--help@x", "--"});
    CHECK_FALSE(o.verbose);
    CHECK_FALSE(o.help);
    CHECK(o.recipients == Strings{"-v@x", "--help@x", "--"});
  }
  SECTION("no -f") {
    CHECK_THROWS_AS(parse({"--pipe", "--", "r@x"}), UsageError);
  }
  SECTION("no recipients") {
    CHECK_THROWS_AS(parse({"--pipe", "-f", "s@x"}), UsageError);
    CHECK_THROWS_AS(parse({"--pipe", "-f", "s@x", "--"}), UsageError);
  }
}

TEST_CASE("parse_options: -f and recipients without --pipe are errors", "[options]") {
  CHECK_THROWS_AS(parse({"-f", "s@x"}), UsageError);
  CHECK_THROWS_AS(parse({"-f", ""}), UsageError);
  CHECK_THROWS_AS(parse({"--", "r@x"}), UsageError);
}

TEST_CASE("usage_text names every option", "[options]") {
  std::string u = usage_text();
  for (const char* name : {"--next-hop", "--hook", "--hook-output", "--hook-timeout", "--add-header", "--spool-dir",
                           "--spool-memory", "--quarantine-dir", "--hostname", "--user", "--max-size", "--timeout",
                           "--log", "--log-file", "--verbose", "--pipe", "--deadline", "--config", "--version",
                           "--help"}) {
    INFO(name);
    CHECK(u.find(name) != std::string::npos);
  }
}

TEST_CASE("to_string(HookOutput)", "[options]") {
  CHECK(std::string(to_string(HookOutput::check)) == "check");
  CHECK(std::string(to_string(HookOutput::headers)) == "headers");
  CHECK(std::string(to_string(HookOutput::rewrite)) == "rewrite");
}
