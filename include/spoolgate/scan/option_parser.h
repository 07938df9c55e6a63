// scan/option_parser.h - the scanner hooks' command line: a small table of options
//
// DESCRIPTION
//   OptionParser reads "--name VALUE" and "--name=VALUE" words against a
//   table: each option has a setter that checks its value and stores it.
//   It is written by hand rather than with Boost.Program_options (which
//   spoolgate itself uses): a hook starts once per message, and every
//   relocation at start-up is paid per message (bench/RESULTS.md).
//
//   CommonOptions are the options of every scanner hook: --timeout (the
//   whole conversation with the daemon), --max-size and --oversize (what
//   happens to a message the daemon cannot scan whole).
//   add_common_options() puts them in a table.
//
//   The value parsers check one kind of value each and name the option in
//   their error: parse_seconds, parse_size (K, M, G suffixes: 1024-based,
//   as clamd.conf's), parse_score, parse_choice, parse_daemon.
//
// DIAGNOSTICS
//   parse() and the value parsers throw UsageError, whose what() names the
//   option and the problem ("--timeout: not a number of seconds: x"). The
//   hooks turn it into a defer: a misconfigured hook never bounces mail.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "spoolgate/net.h"
#include "spoolgate/scan/bounds.h"

namespace spoolgate::scan {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class OptionParser {
 public:
  using Setter = std::function<void(std::string_view value)>;

  /// Add "--NAME VALUE_NAME", described by `help` in usage().
  void add(std::string name, std::string value_name, std::string help, Setter set);
  /// Read argv[1..]. Returns false when --help was asked. Throws UsageError.
  bool parse(int argc, const char* const* argv) const;
  /// "usage: PROGRAM [--NAME VALUE]...", then one line per option.
  std::string usage(std::string_view program) const;

 private:
  struct Option {
    std::string name;
    std::string value_name;
    std::string help;
    Setter set;
  };
  const Option* find(std::string_view name) const;
  std::vector<Option> options_;
};

/// What a hook does with a message it cannot have scanned whole.
enum class Oversize { pass, defer };

struct CommonOptions {
  std::chrono::milliseconds timeout = kDefaultTimeout;
  std::uint64_t max_size = 0;  ///< set by each hook to its daemon's default
  Oversize oversize = Oversize::pass;
};

/// --timeout S, --max-size BYTES, --oversize pass|defer.
void add_common_options(OptionParser& parser, CommonOptions* options);

/// Seconds, a positive decimal up to kMaxTimeout.
std::chrono::milliseconds parse_seconds(std::string_view option, std::string_view value);
/// Octets, a positive integer with an optional K, M or G suffix (1024-based).
std::uint64_t parse_size(std::string_view option, std::string_view value);
/// A score: a decimal, possibly negative.
double parse_score(std::string_view option, std::string_view value);
/// A daemon's address: "HOST:PORT", "[ADDR]:PORT" or "unix:PATH".
Endpoint parse_daemon(std::string_view option, std::string_view value);

/// One of `choices`, by its name.
template <typename T>
T parse_choice(std::string_view option, std::string_view value,
               std::initializer_list<std::pair<std::string_view, T>> choices) {
  std::string names;
  for (const auto& [name, choice] : choices) {
    if (value == name) return choice;
    names += (names.empty() ? "" : "|") + std::string(name);
  }
  throw UsageError(std::string(option) + ": expected " + names + ", not \"" + std::string(value) + "\"");
}

}  // namespace spoolgate::scan
