// daemon_conn_test.cc - unit tests of scan/daemon_conn.h against a scripted UNIX-socket peer
#include "spoolgate/scan/daemon_conn.h"

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>

using namespace spoolgate;
using namespace spoolgate::scan;
using namespace std::chrono_literals;

namespace {

// Peer - a listener in a private directory; `script` runs on the accepted socket
struct Peer {
  std::string dir, path;
  Fd listener;
  std::thread thread;

  template <typename F>
  explicit Peer(F script) {
    char tmpl[] = "/tmp/spoolgate-daemon-conn-XXXXXX";
    dir = ::mkdtemp(tmpl);
    path = dir + "/sock";
    listener.reset(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    sockaddr_un sun{};
    sun.sun_family = AF_UNIX;
    std::strcpy(sun.sun_path, path.c_str());
    REQUIRE(::bind(listener.get(), reinterpret_cast<sockaddr*>(&sun), sizeof sun) == 0);
    REQUIRE(::listen(listener.get(), 1) == 0);
    thread = std::thread([this, script] {
      Fd s(::accept(listener.get(), nullptr, nullptr));
      script(s.get());
    });
  }
  ~Peer() {
    thread.join();
    ::unlink(path.c_str());
    ::rmdir(dir.c_str());
  }
  Endpoint endpoint() const { return *parse_endpoint("unix:" + path); }
};

void say(int fd, const std::string& s) { (void)!::write(fd, s.data(), s.size()); }

}  // namespace

TEST_CASE("a reply that ends at close, or when complete says so", "[scan_conn]") {
  Peer peer([](int fd) {
    char buf[64];
    (void)!::read(fd, buf, sizeof buf);
    say(fd, "stream: OK");
    say(fd, std::string(1, '\0'));
    ::usleep(300000);
  });
  DaemonConn conn(peer.endpoint(), Deadline::after(5s), 5000ms);
  conn.send("zPING");
  auto nul = [](std::string_view r) { return r.find('\0') != std::string_view::npos; };
  CHECK(conn.receive(100, nul) == std::string("stream: OK\0", 11));
}

TEST_CASE("a reply past its bound is an error, not a buffer", "[scan_conn]") {
  Peer peer([](int fd) { say(fd, std::string(5000, 'x')); });
  DaemonConn conn(peer.endpoint(), Deadline::after(5s), 5000ms);
  CHECK_THROWS_WITH(conn.receive(4096), "reply over 4096 octets");
}

TEST_CASE("a daemon that never answers: timed out at the deadline", "[scan_conn]") {
  Peer peer([](int fd) {
    char buf[64];
    (void)!::read(fd, buf, sizeof buf);  // until the client gives up and closes
  });
  {
    DaemonConn conn(peer.endpoint(), Deadline::after(300ms), 300ms);
    CHECK_THROWS_WITH(conn.receive(100), "timed out waiting for the reply (--timeout 0.3 s)");
  }
}

TEST_CASE("nobody listening: cannot connect, named without the endpoint", "[scan_conn]") {
  Endpoint nowhere = *parse_endpoint("unix:/nonexistent/spoolgate-test.sock");
  CHECK_THROWS_WITH(DaemonConn(nowhere, Deadline::after(1s), 1000ms), Catch::StartsWith("cannot connect: "));
}
