// fuzz_session.cc - libFuzzer target: a whole ServerSession, the fuzz input as the client's octets
//
// DESCRIPTION
//   Each input runs one in-process ServerSession (as cli.cc runs it) over a
//   socketpair, against a next hop on loopback. The first three octets set
//   up the run, the rest is what the client sends:
//
//     octet 0  next hop EHLO: bit 0 PIPELINING; bits 1-2 SIZE (none,
//              "SIZE 200", "SIZE 10240000", bare "SIZE"); bit 3 XFORWARD;
//              bit 4 8BITMIME DSN SMTPUTF8; bits 5-6 reply to DATA (354,
//              354, 554, 451); bit 7 EHLO refused (HELO then).
//     octet 1  next hop replies: bits 0-1 to the final "." (250, 452, 554,
//              421 and close); bits 2-3 to RCPT (250, every second 550,
//              all 450, 421 and close at the second); bits 4-5 to MAIL
//              (250, 553, a two-line 250, 250 without enhanced code);
//              bits 6-7 trouble (none, a line that is not SMTP as the 5th
//              reply, closing after the 6th command, control characters
//              and 8-bit text in replies).
//     octet 2  options: bit 0 --max-size 300; bit 1 an --add-header field;
//              bit 2 -v (the dialogue goes through log::debug, to nowhere);
//              bit 3 --spool-memory 64 (spools go to files in $TMPDIR).
//
//   A thread writes the client's octets to its end of the socketpair,
//   half-closes it, and reads everything spoolgate writes until spoolgate's
//   end is shut. --timeout is 2 s, with no hook; the session ends when the
//   input does, so an execution takes a few hundred microseconds.
//
//   The next hop (NextHopStub, below) is one per process: a thread that
//   serves one connection at a time, with the behaviour set before each
//   session, and that checks what spoolgate sends it. It keeps nothing from
//   one connection to the next, so memory stays flat over millions of runs
//   (test/session/fake_next_hop.h records every command, which is what
//   session tests want and a fuzzer does not).
//
//   Invariants checked:
//   - every octet spoolgate writes to the client is part of an SMTP reply
//     line: three digits, the first 2 to 5, then ' ' or '-', printable
//     text, CRLF; a "NNN-" line is followed by a line of the same code;
//     nothing follows a 221 or a 421; STARTTLS, AUTH, CHUNKING and XCLIENT,
//     which the next hop announces, are never offered;
//   - never lose mail: the reply to a message (the first after its 354) is
//     2xx only when it is the next hop's 250 to the final ".", relayed;
//   - run() returns 0 or 75;
//   - the next hop receives only CRLF-terminated command lines of the verbs
//     spoolgate sends (EHLO HELO MAIL RCPT DATA RSET NOOP QUIT XFORWARD);
//   - message data at the next hop holds no bare LF, and the next hop sees
//     no more DATA commands and final dots than the client got 354 replies
//     for messages that were neither too big nor unspoolable: a smuggled
//     end of data would show up as an extra message or as a stray command;
//   - the session's connection to the next hop always ends.
//
//   FUZZ_SESSION_SHOW=1 prints, for each input run, the exit status, what
//   the next hop counted and spoolgate's replies (to look at a seed).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "fuzz_check.h"
#include "spoolgate/log.h"
#include "spoolgate/options.h"
#include "spoolgate/server_session.h"

using namespace spoolgate;
using spoolgate::fuzz::show;

namespace {

constexpr int kWaitMs = 10000;  // longer than any wait of a healthy run

struct Behaviour {
  unsigned ehlo = 0;     // octet 0
  unsigned replies = 0;  // octet 1
};

/// What the next hop saw on one connection.
struct Seen {
  int data_commands = 0;
  int messages = 0;
  int queued = 0;  // messages answered 250
  std::string problem;  // the first broken invariant, if any
};

// Conn - one connection's buffered reader, every wait bounded
class Conn {
 public:
  explicit Conn(int fd) : fd_(fd) {}
  bool send(std::string_view s) {
    while (!s.empty()) {
      ssize_t n = ::send(fd_, s.data(), s.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      s.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
  }
  bool fill() {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, kWaitMs) <= 0) return false;
    char b[65536];
    ssize_t n = ::recv(fd_, b, sizeof b, 0);
    if (n <= 0) return false;
    buf_.append(b, static_cast<std::size_t>(n));
    return true;
  }
  /// One line with its LF; nullopt at EOF.
  std::optional<std::string> line() {
    for (;;) {
      std::size_t nl = buf_.find('\n');
      if (nl != std::string::npos) {
        std::string l = buf_.substr(0, nl + 1);
        buf_.erase(0, nl + 1);
        return l;
      }
      if (!fill()) return std::nullopt;
    }
  }
  /// Message data up to and with the final ".\r\n"; nullopt if cut off.
  std::optional<std::string> message() {
    for (;;) {
      if (buf_.rfind(".\r\n", 0) == 0) {
        buf_.erase(0, 3);
        return std::string(".\r\n");
      }
      std::size_t end = buf_.find("\r\n.\r\n");
      if (end != std::string::npos) {
        std::string m = buf_.substr(0, end + 5);
        buf_.erase(0, end + 5);
        return m;
      }
      if (!fill()) return std::nullopt;
    }
  }

 private:
  int fd_;
  std::string buf_;
};

std::string upper_verb(std::string_view line) {
  // Postfix's smtpd splits at any blank, and skips blanks before the verb
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
  std::string v(line.substr(0, line.find_first_of(" \t\r\n")));
  for (char& c : v)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 32);
  return v;
}

// NextHopStub - the next hop: one connection at a time, behaviour per session
class NextHopStub {
 public:
  NextHopStub() {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int one = 1;
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) std::abort();
    socklen_t len = sizeof a;
    ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
    ::listen(listen_fd_, 16);
    std::thread([this] { serve(); }).detach();
  }
  int port() const { return port_; }

  /// Before a session: how to behave on its connection.
  void arm(Behaviour b) {
    std::lock_guard<std::mutex> lock(mu_);
    behaviour_ = b;
    ++armed_;
  }
  /// After the session: wait for its connection to end; what was seen.
  Seen wait() {
    std::unique_lock<std::mutex> lock(mu_);
    if (!cv_.wait_for(lock, std::chrono::milliseconds(kWaitMs), [&] { return finished_ == armed_; }))
      fuzz::fail(__FILE__, __LINE__, "finished_ == armed_", "the next hop connection did not end");
    return seen_;
  }

 private:
  void serve() {
    for (;;) {
      int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) continue;
      int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      Behaviour b;
      {
        std::lock_guard<std::mutex> lock(mu_);
        b = behaviour_;
      }
      Seen s;
      serve_connection(fd, b, s);
      // read on to EOF, so that the session never sees a reset it did not cause
      ::shutdown(fd, SHUT_WR);
      char sink[4096];
      for (;;) {
        pollfd p{fd, POLLIN, 0};
        if (::poll(&p, 1, kWaitMs) <= 0 || ::recv(fd, sink, sizeof sink, 0) <= 0) break;
      }
      ::close(fd);
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen_ = s;
        ++finished_;
      }
      cv_.notify_all();
    }
  }

  static void serve_connection(int fd, Behaviour b, Seen& seen) {
    Conn c(fd);
    auto note = [&](const std::string& problem) {
      if (seen.problem.empty()) seen.problem = problem;
    };
    const unsigned trouble = (b.replies >> 6) & 3;
    const std::string odd = trouble == 3 ? " \x01\x7f\xe9\r\x1b[2J" : "";
    int commands = 0, replies = 0, rcpts = 0, messages = 0;
    // reply - false when the connection is over
    auto reply = [&](std::string r) -> bool {
      if (++replies == 5 && trouble == 1) r = "hello there";
      if (!c.send(r + "\r\n")) return false;
      return r.rfind("421", 0) != 0;
    };
    if (!c.send("220 stub.example ESMTP\r\n")) return;
    for (;;) {
      std::optional<std::string> raw = c.line();
      if (!raw) return;
      if (raw->size() < 2 || (*raw)[raw->size() - 2] != '\r') note("command line without CRLF: " + show(*raw));
      std::string_view line(*raw);
      line.remove_suffix(line.size() >= 2 && line[line.size() - 2] == '\r' ? 2 : 1);
      const std::string verb = upper_verb(line);
      if (++commands == 7 && trouble == 2) return;
      if (verb == "EHLO") {
        if (b.ehlo & 128) {
          if (!reply("502 5.5.2 Error: command not recognized")) return;
          continue;
        }
        std::string r = "250-stub.example\r\n";
        if (b.ehlo & 1) r += "250-PIPELINING\r\n";
        switch ((b.ehlo >> 1) & 3) {
          case 1: r += "250-SIZE 200\r\n"; break;
          case 2: r += "250-SIZE 10240000\r\n"; break;
          case 3: r += "250-SIZE\r\n"; break;
          default: break;
        }
        if (b.ehlo & 8) r += "250-XFORWARD NAME ADDR PROTO HELO\r\n";
        if (b.ehlo & 16) r += "250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n";
        r += "250-STARTTLS\r\n250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250-XCLIENT NAME ADDR\r\n";  // never mirrored
        r += "250 ENHANCEDSTATUSCODES" + odd;
        if (!reply(r)) return;
      } else if (verb == "HELO") {
        if (!reply("250 stub.example")) return;
      } else if (verb == "MAIL") {
        static const char* const kMail[] = {"250 2.1.0 Ok", "553 5.7.1 Sender address rejected",
                                            "250-2.1.0 Sender\r\n250 2.1.0 Ok", "250 Ok"};
        if (!reply(kMail[(b.replies >> 4) & 3] + odd)) return;
      } else if (verb == "RCPT") {
        ++rcpts;
        const unsigned mode = (b.replies >> 2) & 3;
        std::string r = "250 2.1.5 Ok";
        if (mode == 1 && rcpts % 2 == 0) r = "550 5.1.1 User unknown";
        if (mode == 2) r = "450 4.2.0 Greylisted";
        if (mode == 3 && rcpts == 2) r = "421 4.3.0 stub.example Service shutting down";
        if (!reply(r + odd)) return;
      } else if (verb == "DATA") {
        ++seen.data_commands;
        const unsigned mode = (b.ehlo >> 5) & 3;
        if (mode == 2) {
          if (!reply("554 5.5.1 Error: no valid recipients")) return;
          continue;
        }
        if (mode == 3) {
          if (!reply("451 4.3.0 Busy")) return;
          continue;
        }
        if (!reply("354 End data with <CR><LF>.<CR><LF>")) return;
        std::optional<std::string> m = c.message();
        if (!m) return;  // cut off: the session went away mid-message
        for (std::size_t i = m->find('\n'); i != std::string::npos; i = m->find('\n', i + 1))
          if (i == 0 || (*m)[i - 1] != '\r') note("bare LF in message data: " + show(*m));
        ++seen.messages;
        ++messages;
        static const char* const kDot[] = {"250 2.0.0 Ok: queued as STUB", "452 4.3.1 Insufficient system storage",
                                           "554 5.7.1 Message rejected", "421 4.3.0 stub.example closing"};
        if ((b.replies & 3) == 0) ++seen.queued;
        if (!reply(kDot[b.replies & 3] + ((b.replies & 3) == 0 ? std::to_string(messages) : ""))) return;
      } else if (verb == "RSET" || verb == "NOOP" || verb == "XFORWARD") {
        if (!reply("250 2.0.0 Ok" + odd)) return;
      } else if (verb == "QUIT") {
        reply("221 2.0.0 Bye");
        return;
      } else {
        note("the next hop got a command spoolgate never sends: " + show(line));
        if (!reply("502 5.5.2 Error: command not recognized")) return;
      }
    }
  }

  int listen_fd_ = -1;
  int port_ = 0;
  std::mutex mu_;
  std::condition_variable cv_;
  Behaviour behaviour_;
  std::uint64_t armed_ = 0;
  std::uint64_t finished_ = 0;
  Seen seen_;
};

NextHopStub* stub = nullptr;

// pump - the client: write the input, half-close, read until spoolgate's end is shut
void pump(int fd, std::string_view input, std::string* out) {
  ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
  bool writing = true;
  if (input.empty()) {
    ::shutdown(fd, SHUT_WR);
    writing = false;
  }
  char buf[65536];
  for (;;) {
    pollfd p{fd, static_cast<short>(POLLIN | (writing ? POLLOUT : 0)), 0};
    if (::poll(&p, 1, kWaitMs) <= 0) fuzz::fail(__FILE__, __LINE__, "poll", "the session neither read nor wrote");
    if (writing && (p.revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = ::send(fd, input.data(), input.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (n > 0) input.remove_prefix(static_cast<std::size_t>(n));
      if (input.empty() || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        ::shutdown(fd, SHUT_WR);
        writing = false;
      }
    }
    if (p.revents & (POLLIN | POLLERR | POLLHUP)) {
      ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
      if (n > 0) out->append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || (errno != EAGAIN && errno != EINTR)) return;
    }
  }
}

// check_output - every octet is part of an SMTP reply line
struct ClientView {
  int replies_354 = 0;
  int not_forwarded = 0;  // 354s whose message spoolgate kept back on purpose
  int queued = 0;         // the next hop's 250 to a final ".", relayed
};

ClientView check_output(const std::string& out) {
  ClientView v;
  std::size_t pos = 0;
  int open_code = 0;  // the code of a "NNN-" line still waiting for its last line
  bool closed = false;
  bool after_354 = false;  // the next reply answers the message
  while (pos < out.size()) {
    FUZZ_CHECK(!closed, "output after 221 or 421: " + show(out.substr(pos)));
    std::size_t end = out.find("\r\n", pos);
    FUZZ_CHECK(end != std::string::npos, "output not ending with CRLF: " + show(out.substr(pos)));
    std::string_view line = std::string_view(out).substr(pos, end - pos);
    FUZZ_CHECK(line.size() >= 4 && line[0] >= '2' && line[0] <= '5' && line[1] >= '0' && line[1] <= '9' &&
                   line[2] >= '0' && line[2] <= '9' && (line[3] == ' ' || line[3] == '-'),
               "not an SMTP reply line: " + show(line));
    for (char c : line) {
      unsigned char u = static_cast<unsigned char>(c);
      FUZZ_CHECK(u >= 32 && u != 127, "control character in a reply: " + show(line));
    }
    const int code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
    FUZZ_CHECK(open_code == 0 || open_code == code, "reply code changed within a reply: " + show(line));
    for (const char* never : {"STARTTLS", "AUTH", "CHUNKING", "XCLIENT"})
      FUZZ_CHECK(line.find(never) == std::string_view::npos, "an extension spoolgate never offers: " + show(line));
    if (line[3] == '-') {
      open_code = code;
    } else {
      open_code = 0;
      if (code == 221 || code == 421) closed = true;
      if (after_354) {
        // no hook: the only 2xx to a message is the next hop's own 250, relayed
        FUZZ_CHECK(code / 100 != 2 || line.find("queued as STUB") != std::string_view::npos,
                   "a message answered 2xx without the next hop's 250 (SPEC \"Never lose mail\"; "
                   "test/fuzz/README.md, Findings): " + show(line));
        after_354 = false;
      }
      if (code == 354) {
        ++v.replies_354;
        after_354 = true;
      }
      if (line.find("queued as STUB") != std::string_view::npos) ++v.queued;
      if (line.find("Error: message file too big") != std::string_view::npos ||
          line.find("cannot spool message") != std::string_view::npos)
        ++v.not_forwarded;
    }
    pos = end + 2;
  }
  FUZZ_CHECK(open_code == 0, "reply left unfinished: " + show(out));
  return v;
}

Options make_options(unsigned bits) {
  Options o;
  o.next_hop.endpoint.host = "127.0.0.1";
  o.next_hop.endpoint.port = std::to_string(stub->port());
  o.hostname = o.next_hop.hostname = "spoolgate.fuzz";
  o.timeout = o.next_hop.timeout = std::chrono::milliseconds(2000);
  o.log_target = log::Target::none;
  const char* tmp = std::getenv("TMPDIR");
  o.filter.limits.spool.dir = tmp && *tmp ? tmp : "/tmp";
  if (bits & 1) o.max_size = o.filter.limits.max_size = 300;
  if (bits & 2) {
    o.add_headers = {"X-Fuzz: yes"};
    o.filter.add_header_wire = "X-Fuzz: yes\r\n";
  }
  o.verbose = (bits & 4) != 0;
  if (bits & 8) o.filter.limits.spool.memory = 64;
  return o;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::signal(SIGPIPE, SIG_IGN);  // as signals::install() does; sendfile(2) has no MSG_NOSIGNAL
  stub = new NextHopStub();     // one per process, never freed: its thread runs to the end
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 3) return 0;
  Behaviour b{data[0], data[1]};
  const Options opts = make_options(data[2]);
  log::init(log::Target::none, "", opts.verbose);
  const std::string_view input(reinterpret_cast<const char*>(data) + 3, size - 3);

  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0) std::abort();
  std::string out;
  std::thread client([&] { pump(fds[0], input, &out); });
  stub->arm(b);
  int status;
  {
    ServerSession session(opts, fds[1], fds[1]);
    status = session.run();
  }
  ::shutdown(fds[1], SHUT_RDWR);
  client.join();
  ::close(fds[0]);
  ::close(fds[1]);
  const Seen seen = stub->wait();

  if (std::getenv("FUZZ_SESSION_SHOW")) {  // for looking at one input: FUZZ_SESSION_SHOW=1 fuzz_session FILE
    std::fprintf(stderr, "status %d, next hop: %d DATA, %d messages\n%s", status, seen.data_commands, seen.messages,
                 out.c_str());
  }
  FUZZ_CHECK(status == 0 || status == 75, "run() returned " + std::to_string(status));
  const ClientView v = check_output(out);
  FUZZ_CHECK(seen.problem.empty(), seen.problem);
  FUZZ_CHECK(seen.data_commands <= v.replies_354 - v.not_forwarded,
             "the next hop got " + std::to_string(seen.data_commands) + " DATA for " + std::to_string(v.replies_354) +
                 " messages (" + std::to_string(v.not_forwarded) + " kept back)");
  FUZZ_CHECK(seen.messages <= seen.data_commands, "more messages than DATA commands at the next hop");
  FUZZ_CHECK(v.queued <= seen.queued, "the client saw more \"queued as\" than the next hop said");
  return 0;
}
