// fake_next_hop.h - a scripted SMTP server on loopback, standing in for Postfix's smtpd
//
// DESCRIPTION
//   FakeNextHop listens on 127.0.0.1 (port chosen by the kernel) and serves
//   connections in a thread, one at a time, like a Postfix smtpd with
//   PIPELINING: a greeting, an EHLO reply with configurable extensions, and
//   a reply to each command. The script can replace any reply, or answer
//   with an action instead: "CLOSE" (drop the connection), "STALL" (say
//   nothing until the peer goes), "RAW:bytes" (send bytes as they are);
//   and for DATA, "354-CLOSE" / "354-STALL": say 354, then break off in
//   the middle of the message.
//
//   It records everything: each command line, and each message exactly as
//   it came on the wire (dot-stuffed, CRLF) up to, not including, the final
//   ".\r\n". A message cut off before its final "." is recorded as partial.
//
//   Every wait is bounded (kMaxWait); the destructor stops the thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace spoolgate::test {

class FakeNextHop {
 public:
  /// Decide the reply to a command: `verb` upper case, `line` as received,
  /// `nth` counts that verb on this connection from 1. nullopt: default.
  using Script = std::function<std::optional<std::string>(const std::string& verb, const std::string& line, int nth)>;
  /// The reply to the final "." of a message; nullopt: "250 2.0.0 Ok: queued as FAKEn".
  using MessageScript = std::function<std::optional<std::string>(const std::string& wire, int nth)>;

  struct Config {
    std::string greeting = "220 fake.example ESMTP fake";
    std::vector<std::string> ehlo = {"fake.example", "PIPELINING", "SIZE 10240000", "VRFY", "ETRN",
                                     "XFORWARD NAME ADDR PROTO HELO SOURCE PORT IDENT", "ENHANCEDSTATUSCODES",
                                     "8BITMIME", "DSN", "SMTPUTF8", "CHUNKING"};
    Script script;
    MessageScript on_message;
    bool listen = true;  ///< false: the port is taken from a closed socket (connection refused)
  };

  FakeNextHop() : FakeNextHop(Config{}) {}
  explicit FakeNextHop(Config config);
  ~FakeNextHop();
  FakeNextHop(const FakeNextHop&) = delete;
  FakeNextHop& operator=(const FakeNextHop&) = delete;

  int port() const { return port_; }

  // What was received (thread-safe copies).
  std::vector<std::string> commands() const;
  std::vector<std::string> messages() const;  ///< complete messages, wire form
  int partial_messages() const;               ///< DATA begun, no final "."
  int connections() const;
  /// Commands whose verb is `verb`.
  int count(const std::string& verb) const;
  /// Wait (bounded) until `n` connections have ended.
  bool wait_closed(int n, int ms = 10000) const;

 private:
  void serve();
  void serve_connection(int fd);

  Config config_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::vector<std::string> commands_;
  std::vector<std::string> messages_;
  int partial_ = 0;
  int connections_ = 0;
  int closed_ = 0;
};

}  // namespace spoolgate::test
