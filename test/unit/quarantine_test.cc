// quarantine_test.cc - the quarantine copy: its content, its mode, and no way around O_EXCL
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>

#include "spoolgate/quarantine.h"

using namespace spoolgate;

namespace {

struct TempDir {
  TempDir() {
    std::string t = "/tmp/spoolgate-quarantine-test.XXXXXX";
    path = ::mkdtemp(t.data());
  }
  ~TempDir() { std::system(("rm -rf '" + path + "'").c_str()); }
  std::string path;
};

Spool message(const std::string& dir, const std::string& text) {
  Spool s(dir, 1024 * 1024);
  s.append(text);
  s.finish();
  return s;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

}  // namespace

TEST_CASE("a quarantine file holds the envelope, then the message, mode 0600", "[quarantine]") {
  TempDir d;
  Envelope env;
  env.sender = "s@example.com";
  env.add_recipient("r1@example.net");
  env.add_recipient("r2@example.net");
  env.client.ident = "ABC123";
  Spool m = message(d.path, "Subject: x\n\nbody\n");
  std::string where;
  REQUIRE(quarantine_keep(d.path, env, Verdict::reject, m, &where));
  CHECK(where.rfind(d.path + "/ABC123-reject-", 0) == 0);
  CHECK(slurp(where) ==
        "X-Envelope-From: <s@example.com>\nX-Envelope-To: <r1@example.net>\nX-Envelope-To: <r2@example.net>\n"
        "Subject: x\n\nbody\n");
  struct stat st;
  REQUIRE(::stat(where.c_str(), &st) == 0);
  CHECK((st.st_mode & 0777) == 0600);
}

TEST_CASE("a quarantine file never follows a symlink planted under its name", "[quarantine]") {
  TempDir d;
  Envelope env;  // NOQUEUE
  Spool m = message(d.path, "x\n");
  std::string target = d.path + "/target";
  { std::ofstream(target) << "untouched"; }
  // the name is NOQUEUE-VERDICT-SECONDS-PID-N: plant links for the next
  // seconds and the next counter values
  long now = static_cast<long>(std::time(nullptr));
  for (long t = now; t < now + 3; ++t)
    for (int n = 1; n < 20; ++n)
      ::symlink(target.c_str(),
                (d.path + "/NOQUEUE-discard-" + std::to_string(t) + "-" + std::to_string(::getpid()) + "-" +
                 std::to_string(n))
                    .c_str());
  std::string where;
  CHECK_FALSE(quarantine_keep(d.path, env, Verdict::discard, m, &where));
  CHECK(slurp(target) == "untouched");
}

TEST_CASE("a quarantine directory that is missing is an error, not a crash", "[quarantine]") {
  TempDir d;
  Envelope env;
  Spool m = message(d.path, "x\n");
  std::string where;
  CHECK_FALSE(quarantine_keep(d.path + "/missing", env, Verdict::reject, m, &where));
  CHECK(where.find("cannot create") != std::string::npos);
}
