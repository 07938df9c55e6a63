// harness.h - run the built spoolgate the way spawn(8) does, and look at what it did
//
// DESCRIPTION
//   Sandbox is a temporary directory that the filter user (nobody, when the
//   tests run as root) can write to: for the log file, spools, quarantine.
//   run_spoolgate() starts the binary named by $SPOOLGATE_BIN with one end of
//   a socketpair on its fd 0, 1 and 2 (as spawn(8) does), as nobody when the
//   tests run as root, writes the input, half-closes as a client does (after
//   the 221 when the input ends with QUIT, at once otherwise, or at once
//   anyway for a client that gives up), and reads everything it writes
//   until it exits. Every wait is bounded: a run that
//   lasts longer than its limit is killed and reported as timed out.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <vector>

#include "fake_next_hop.h"

namespace spoolgate::test {

class Sandbox {
 public:
  Sandbox();
  ~Sandbox();
  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }
  /// The log written by --log-file (run_spoolgate passes it).
  std::string log() const;
  /// A subdirectory the filter user owns.
  std::string subdir(const std::string& name) const;
  /// Names of the entries in a directory.
  static std::vector<std::string> list(const std::string& dir);

 private:
  std::string path_;
};

struct RunOptions {
  std::vector<std::string> args;
  std::string input;
  /// shutdown(SHUT_WR) once the input is written; when the input ends with
  /// QUIT, only once the 221 has come, as a real client (Postfix) closes
  bool half_close = true;
  int limit_ms = 30000;    ///< kill after this long
  /// Called once the input is written, with the socket and the pid (for
  /// tests that act on the running process, e.g. send a signal).
  std::function<void(int fd, pid_t pid)> after_input;
  /// RLIMIT_FSIZE for the process (0: unchanged): a full disk, in effect.
  unsigned long long file_size_limit = 0;
  /// Keep root (the test passes --user itself); default: run as nobody.
  bool as_root = false;
  /// Start it with descriptor 2 closed (the client on 0 and 1 only).
  bool close_stderr = false;
  /// shutdown(SHUT_WR) right after the input, even after a QUIT: a client
  /// that gives up without waiting for its replies
  bool hang_up_early = false;
  /// stdin a pipe and stdout/stderr another, as when a person pipes a
  /// transcript in (not a socket)
  bool as_pipes = false;
  /// Run this program instead of spoolgate (e.g. quarantine_binary()).
  std::string program;
};

struct Run {
  std::string output;   ///< every octet written on the socket
  int status = -1;      ///< exit status; 128+N when killed by signal N
  bool timed_out = false;
  double seconds = 0;
  long max_rss_kb = 0;  ///< peak resident set size (VmHWM, sampled while it ran)
};

Run run_spoolgate(const Sandbox& box, const RunOptions& o);

/// Path of a test hook in test/hooks ($SPOOLGATE_TEST_HOOKS).
std::string hook(const std::string& name);
/// The spoolgate binary ($SPOOLGATE_BIN).
std::string binary();
/// The spoolgate-quarantine binary ($SPOOLGATE_QUARANTINE_BIN).
std::string quarantine_binary();
/// True when every line of `out` is an SMTP reply line ending in CRLF.
bool only_replies(const std::string& out);
/// The reply lines of `out`, without CRLF.
std::vector<std::string> lines(const std::string& out);
/// Turn "\n" into "\r\n" (transcripts are written with "\n" for legibility).
std::string crlf(const std::string& s);
/// A typical session: EHLO, MAIL, RCPT..., DATA, `body` (CRLF, unstuffed: it
/// is dot-stuffed here), ".", QUIT.
std::string transaction(const std::string& body, const std::vector<std::string>& rcpts = {"rcpt@example.net"},
                        const std::string& sender = "sender@example.com", bool quit = true);
/// Arguments for a run against `hop`: `more`, then HOST PORT.
std::vector<std::string> hop_args(const FakeNextHop& hop, std::vector<std::string> more = {});
/// Arguments for a --pipe run against `hop`: --pipe, `opts`, HOST PORT, -f SENDER -- RCPTS.
std::vector<std::string> pipe_args(const FakeNextHop& hop, std::vector<std::string> opts, const std::string& sender,
                                   std::vector<std::string> rcpts);
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& content);
bool contains(const std::string& haystack, const std::string& needle);
/// Count the processes whose command line contains `needle`.
int count_processes(const std::string& needle);
/// Wait (bounded, `ms`) until `path` exists.
bool wait_for_file(const std::string& path, int ms);

}  // namespace spoolgate::test
