// quarantine_test.cc - the quarantine copy: its content, its mode, and no way around O_EXCL
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

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
  env.client.addr = "192.0.2.7";
  REQUIRE(quarantine_keep(d.path, env, QuarantineNote{Verdict::reject, "0,65", "5.7.1 virus found: Eicar"}, m, &where));
  CHECK(where.rfind(d.path + "/ABC123-reject-", 0) == 0);
  CHECK(slurp(where) ==
        "X-Envelope-From: <s@example.com>\nX-Envelope-To: <r1@example.net>\nX-Envelope-To: <r2@example.net>\n"
        "X-Spoolgate-Queue-ID: ABC123\nX-Spoolgate-Client-Address: 192.0.2.7\nX-Spoolgate-Verdict: reject\n"
        "X-Spoolgate-Hook: 0,65\nX-Spoolgate-Reason: 5.7.1 virus found: Eicar\n"
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
  CHECK_FALSE(quarantine_keep(d.path, env, QuarantineNote{Verdict::discard, "99", ""}, m, &where));
  CHECK(slurp(target) == "untouched");
}

TEST_CASE("a quarantine directory that is missing is an error, not a crash", "[quarantine]") {
  TempDir d;
  Envelope env;
  Spool m = message(d.path, "x\n");
  std::string where;
  CHECK_FALSE(quarantine_keep(d.path + "/missing", env, QuarantineNote{}, m, &where));
  CHECK(where.find("cannot create") != std::string::npos);
}

TEST_CASE("read_quarantine_block: the envelope back, and where the message starts", "[quarantine]") {
  std::string file =
      "X-Envelope-From: <>\nX-Envelope-To: <a@x>\nX-Envelope-To: <b@x>\nX-Spoolgate-Queue-ID: Q1\n"
      "X-Spoolgate-Client-Source: LOCAL\nX-Spoolgate-Client-Proto: ESMTP\n"
      "X-Spoolgate-Verdict: discard\nX-Spoolgate-Hook: 99\nX-Spoolgate-Reason: spam\n"
      "X-Envelope-To: <forged@x>\nSubject: s\n\nb\n";
  std::string error;
  std::optional<QuarantineBlock> b = read_quarantine_block(file, &error);
  REQUIRE(b);
  CHECK(b->env.sender.empty());
  CHECK(b->env.recipients == std::vector<std::string>{"a@x", "b@x"});  // the message's own line is not one
  CHECK(b->env.client.ident == "Q1");
  CHECK(b->env.client.source == "LOCAL");
  CHECK(b->env.client.proto == "ESMTP");
  CHECK(b->note.verdict == Verdict::discard);
  CHECK(b->note.hook == "99");
  CHECK(b->note.reason == "spam");
  CHECK(file.substr(b->message_offset) == "X-Envelope-To: <forged@x>\nSubject: s\n\nb\n");
}

TEST_CASE("read_quarantine_block: an older file, and what is no quarantine file", "[quarantine]") {
  std::string error;
  std::optional<QuarantineBlock> old = read_quarantine_block("X-Envelope-From: <s@x>\nX-Envelope-To: <r@x>\nSubject: s\n\nb\n", &error);
  REQUIRE(old);
  CHECK(old->env.recipients == std::vector<std::string>{"r@x"});
  CHECK(old->message_offset == 44);
  CHECK_FALSE(read_quarantine_block("Subject: s\n\nb\n", &error));
  CHECK_FALSE(error.empty());
  CHECK_FALSE(read_quarantine_block("X-Envelope-From: <s@x>\nSubject: no recipient\n", &error));
}

TEST_CASE("a quarantine copy of a message held in memory", "[quarantine]") {
  TempDir d;
  Envelope env;
  env.add_recipient("r@x");
  Spool m(d.path, 1024 * 1024);
  m.append("small\n");
  m.finish_in_memory();
  std::string where;
  REQUIRE(quarantine_keep(d.path, env, QuarantineNote{Verdict::reject, "65", "no"}, m, &where));
  CHECK(slurp(where).substr(slurp(where).size() - 6) == "small\n");
}
