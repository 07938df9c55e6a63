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
#include "spoolgate/message_filter.h"
#include "spoolgate/next_hop.h"

namespace spoolgate {

/// Everything the command line and the config file say.
struct Options {
  NextHopConfig next_hop;  ///< HOST PORT or --next-hop; --hostname and --timeout too
  FilterConfig filter;     ///< --hook, --hook-output, --hook-timeout, --add-header, --spool-*, --quarantine-dir
  std::vector<std::string> add_headers;  ///< --add-header as given (filter.add_header_wire: checked, CRLF)

  std::string hostname = "localhost";  ///< the greeting's name (and EHLO's, in next_hop)
  std::string user;
  std::uint64_t max_size = 0;  ///< 0: no limit of our own
  std::chrono::milliseconds timeout{300'000};

  log::Target log_target = log::Target::syslog;
  std::string log_file;
  bool verbose = false;

  bool pipe = false;
  bool try_mode = false;  ///< --try
  std::chrono::milliseconds deadline{600'000};
  std::optional<std::string> sender;  ///< -f
  std::vector<std::string> recipients;
  std::string queue_id;  ///< --queue-id (--pipe, --try)

  std::string config_file;       ///< --config, as given
  unsigned quarantine_days = 30;  ///< for spoolgate-quarantine expire

  bool help = false;
  bool version = false;
};

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// Read argv (and --config). Throws UsageError.
Options parse_options(int argc, const char* const* argv);

/// Where to log a failure to read the options: --log-file as the command
/// line or the config file says it, found without reading the rest; "" if
/// none.
std::string log_file_hint(int argc, const char* const* argv);

/// The --help text.
std::string usage_text();

/// "1048576", "64k", "1M", "2G". Throws UsageError naming `option`.
std::uint64_t parse_bytes(const std::string& option, const std::string& value);
/// "30" (days, for --quarantine-days). Throws UsageError.
unsigned parse_days(const std::string& value);
/// "60", "0.5". Throws UsageError naming `option`.
std::chrono::milliseconds parse_seconds(const std::string& option, const std::string& value);

}  // namespace spoolgate
