// builtin_test.cc - --hook builtin:NAME: the scanner hooks run inside spoolgate, judged as programs are
// (issue 14; the man page, SCANNERS)
//
// A fake clamd on a UNIX socket in the sandbox answers the clamav hook's
// FILDES: it reads the descriptor passed to it and says FOUND when the
// message holds kMarker, OK otherwise, or, hanging, nothing at all. With
// the real daemons, test/scanners and test/postfix/scanners_test.sh.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <atomic>
#include <cstring>
#include <mutex>
#include <thread>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

const std::string kMarker = "THIS-IS-THE-TEST-VIRUS";
const std::string kClean = "From: a@example.com\r\nSubject: builtin\r\n\r\nclean body\r\n";
const std::string kInfected = "From: a@example.com\r\nSubject: builtin\r\n\r\n" + kMarker + "\r\n";

/// The reply to the final "." of a one-message session.
std::string reply_to_dot(const std::string& out) {
  std::vector<std::string> l = lines(out);
  for (std::size_t i = 0; i + 1 < l.size(); ++i)
    if (l[i].rfind("354 ", 0) == 0) return l[i + 1];
  return "(no reply to the dot)";
}

/// A clamd that understands FILDES and nothing else, on a socket anyone may connect to.
class FakeClamd {
 public:
  FakeClamd(const std::string& path, bool hang) : path_(path), hang_(hang) {
    listener_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    REQUIRE(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0);
    ::chmod(path.c_str(), 0666);
    REQUIRE(::listen(listener_, 8) == 0);
    thread_ = std::thread([this] { serve(); });
  }
  ~FakeClamd() {
    stop_ = true;
    ::shutdown(listener_, SHUT_RDWR);
    thread_.join();
    ::close(listener_);
  }
  std::string endpoint() const { return "unix:" + path_; }
  /// Every message it was given, as the descriptor read.
  std::vector<std::string> scanned() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return scanned_;
  }

 private:
  void serve() {
    while (!stop_) {
      int c = ::accept(listener_, nullptr, nullptr);
      if (c < 0) return;
      answer(c);
      ::close(c);
    }
  }
  // answer - "zFILDES\0", then one octet with the descriptor; the reply ends in NUL
  void answer(int c) {
    std::string command;
    char ch;
    while (command.size() < 64 && ::read(c, &ch, 1) == 1 && ch != '\0') command += ch;
    char octet;
    iovec iov{&octet, 1};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int))] = {};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control;
    msg.msg_controllen = sizeof control;
    if (command != "zFILDES" || ::recvmsg(c, &msg, 0) != 1) return;
    cmsghdr* h = CMSG_FIRSTHDR(&msg);
    if (!h || h->cmsg_type != SCM_RIGHTS) return;
    int fd;
    std::memcpy(&fd, CMSG_DATA(h), sizeof fd);
    std::string text;
    char buf[4096];
    for (ssize_t n; (n = ::pread(fd, buf, sizeof buf, static_cast<off_t>(text.size()))) > 0;)
      text.append(buf, static_cast<std::size_t>(n));
    ::close(fd);
    {
      std::lock_guard<std::mutex> lock(mutex_);
      scanned_.push_back(text);
    }
    if (hang_) {
      while (!stop_ && ::read(c, buf, sizeof buf) > 0) {
      }
      return;
    }
    std::string reply = contains(text, kMarker) ? "fd[9]: Spoolgate.Test.Fake FOUND" : "fd[9]: OK";
    (void)!::write(c, reply.c_str(), reply.size() + 1);
  }

  std::string path_;
  bool hang_;
  int listener_ = -1;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<std::string> scanned_;
};

}  // namespace

TEST_CASE("builtin:clamav: the message reaches the built-in hook, and its verdict is spoolgate's", "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  FakeClamd clamd(box.file("clamd.sock"), false);
  std::string command = "builtin:clamav --clamd " + clamd.endpoint();

  SECTION("clean: delivered once, with the hook's field in headers mode") {
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", command, "--hook-output", "headers"}), transaction(kClean)});
    CHECK(only_replies(r.output));
    CHECK(reply_to_dot(r.output).rfind("250 ", 0) == 0);
    REQUIRE(hop.messages().size() == 1);
    CHECK(hop.messages()[0] == "X-Virus-Status: Clean\r\n" + kClean);
    REQUIRE(clamd.scanned().size() == 1);
    CHECK(clamd.scanned()[0] == "From: a@example.com\nSubject: builtin\n\nclean body\n");  // the LF form, as a program's stdin
    CHECK(contains(box.log(), "verdict=accept, hook=0, "));
  }
  SECTION("infected: rejected with the hook's REASON, nothing delivered") {
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", command}), transaction(kInfected)});
    CHECK(only_replies(r.output));
    CHECK(reply_to_dot(r.output) == "550 5.7.1 virus found: Spoolgate.Test.Fake");
    CHECK(hop.messages().empty());
    CHECK(contains(box.log(), "verdict=reject, hook=69, "));
  }
  SECTION("--virus discard, given as the program would get it") {
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", command + " --virus discard"}), transaction(kInfected)});
    CHECK(reply_to_dot(r.output).rfind("250 ", 0) == 0);
    CHECK(hop.messages().empty());
    CHECK(contains(box.log(), "verdict=discard, hook=99, "));
  }
}

TEST_CASE("builtin:clamav with no clamd: deferred with the hook's own REASON", "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  std::string socket = box.file("no-clamd.sock");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", "builtin:clamav --clamd unix:" + socket}), transaction(kClean)});
  CHECK(only_replies(r.output));
  CHECK(reply_to_dot(r.output) == "451 4.7.1 clamav: unix:" + socket + ": cannot connect: No such file or directory");
  CHECK(hop.messages().empty());
  CHECK(contains(box.log(), "verdict=defer, hook=75, "));
}

TEST_CASE("an unknown built-in hook is a start-up mistake: a 421 4.3.5 greeting naming the known ones", "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", "builtin:clamd"}), transaction(kClean)});
  CHECK(r.status == 64);
  CHECK(only_replies(r.output));
  CHECK(lines(r.output).size() == 1);
  CHECK(contains(r.output, "421 4.3.5 spoolgate: bad usage: --hook: no built-in hook \"clamd\" (there are: clamav, "
                           "spamassassin, rspamd)"));
  CHECK(hop.connections() == 0);
}

TEST_CASE("a built-in hook never rewrites: --hook-output rewrite is a start-up mistake", "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", "builtin:spamassassin", "--hook-output", "rewrite"}),
                              transaction(kClean)});
  CHECK(r.status == 64);
  CHECK(only_replies(r.output));
  CHECK(contains(r.output, "421 4.3.5 spoolgate: bad usage: --hook-output: builtin:spamassassin never rewrites a "
                           "message: give check or headers"));
  CHECK(hop.connections() == 0);
}

TEST_CASE("a built-in hook on a silent daemon: NOOP to the next hop meanwhile, deferred at --hook-timeout",
          "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  FakeClamd clamd(box.file("clamd.sock"), true);
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook-timeout", "6", "--hook",
                                             "builtin:clamav --timeout 60 --clamd " + clamd.endpoint()}),
                              transaction(kClean)});
  CHECK(only_replies(r.output));
  CHECK(reply_to_dot(r.output) == "451 4.7.1 hook timed out after 6 s");
  CHECK(hop.count("NOOP") >= 1);  // every 4 s while spoolgate itself waited on clamd
  CHECK(hop.messages().empty());
  CHECK(clamd.scanned().size() == 1);
  CHECK(contains(box.log(), "verdict=defer, hook=timeout, "));
}

TEST_CASE("a macro never names a built-in hook: only the configured first word can", "[builtin]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {pipe_args(hop, {"--hook", "${sender} --virus discard"}, "builtin:clamav", {"r@y"}),
                              "Subject: macro\n\nbody\n"});
  CHECK(r.status == 75);
  CHECK(contains(r.output, "hook not found: builtin:clamav"));
  CHECK(hop.messages().empty());
}
