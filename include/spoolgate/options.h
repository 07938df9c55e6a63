// options.h - the command line and --config file, read once into an immutable Options
//
// DESCRIPTION
//   parse_options() reads argv with Boost.Program_options and, with
//   --config FILE, a file of "name = value" lines (# comments, true/false
//   for switches, a list option such as add-header on several lines). An
//   option given on the command line replaces the file's value, lists
//   included.
//
//   Positional words before a "--" are HOST and PORT of the next hop (as in
//   master.cf's "argv=/usr/bin/spoolgate localhost 10026"); in --pipe mode
//   the words after "--" are the recipients.
//
//   Every value is checked here: sizes (digits, optional k/M/G), durations
//   (seconds, decimals allowed), the hook command (quoting and macros), the
//   --add-header fields. So a bad setting stops spoolgate before it says
//   anything on the socket.
//
// DIAGNOSTICS
//   UsageError, whose what() is the one line cli.cc prints before exit 64.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "spoolgate/log.h"

namespace spoolgate {

enum class HookOutput { check, headers, rewrite };

const char* to_string(HookOutput m);

struct Options {
  std::string next_hop_host = "127.0.0.1";
  std::string next_hop_port = "10026";

  std::string hook;                     ///< as given; empty: the null filter
  std::vector<std::string> hook_words;  ///< split, macros not yet expanded
  HookOutput hook_output = HookOutput::check;
  std::chrono::milliseconds hook_timeout{60'000};
  std::vector<std::string> add_headers;  ///< as given
  std::string add_header_wire;           ///< all of them, checked, CRLF, ready to send

  std::string spool_dir;  ///< default: $TMPDIR, else /tmp
  std::uint64_t spool_memory = 1024 * 1024;
  std::string quarantine_dir;

  std::string hostname = "localhost";
  std::string user;
  std::uint64_t max_size = 0;  ///< 0: no limit of our own
  std::chrono::milliseconds timeout{300'000};

  log::Target log_target = log::Target::syslog;
  std::string log_file;
  bool verbose = false;

  bool pipe = false;
  std::chrono::milliseconds deadline{600'000};
  std::optional<std::string> sender;  ///< -f
  std::vector<std::string> recipients;

  bool help = false;
  bool version = false;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Read argv (and --config). Throws UsageError.
Options parse_options(int argc, const char* const* argv);

/// The --help text.
std::string usage_text();

/// "1048576", "64k", "1M", "2G". Throws UsageError naming `option`.
std::uint64_t parse_bytes(const std::string& option, const std::string& value);
/// "60", "0.5". Throws UsageError naming `option`.
std::chrono::milliseconds parse_seconds(const std::string& option, const std::string& value);

}  // namespace spoolgate
