// option_table.h - every option once: the command line and config files read against one table
//
// DESCRIPTION
//   An OptionSpec names an option (long name, an optional one-letter form),
//   says whether it takes a value, may be given several times (a list), or
//   is a switch, and carries its --help line. read_command_line() reads
//   argv against a table: "--name VALUE", "--name=VALUE", "-x VALUE",
//   switches, words that are not options (HOST PORT), and everything after
//   "--". read_config_file() reads "name = value" lines (# comments,
//   true/false for switches, a list option on several lines). fill_from()
//   lets the command line win: an option it gives replaces the file's, a
//   list as a whole. describe() prints the table for --help.
//
//   Written by hand rather than with Boost.Program_options: spawn(8) starts
//   spoolgate once per connection, and building and running Boost's option
//   machinery (and the iostreams it pulls in) was 45 % of the instructions
//   from exec to the greeting (bench/RESULTS.md).
//
// DIAGNOSTICS
//   UsageError, whose what() names the option or the file and line:
//   unknown options (no abbreviations), a missing value, a value given to a
//   switch, an option that is no list given twice, an unreadable file.
#pragma once

#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace spoolgate {

struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class OptionKind { value, list, flag };

struct OptionSpec {
  std::string_view name;  ///< the long name, also the config file's
  char letter;            ///< the one-letter form, or 0
  OptionKind kind;
  std::string_view value_name;  ///< for --help: "S", "BYTES", ...
  std::string_view help;
};

/// What was given, per option, in the order given.
class OptionValues {
 public:
  bool has(std::string_view name) const { return find(name) != nullptr; }
  /// The value of a value option, or `fallback`.
  std::string get(std::string_view name, std::string fallback = {}) const;
  /// Every value of a list option (none: empty).
  std::vector<std::string> list(std::string_view name) const;
  bool flag(std::string_view name) const { return has(name); }
  /// The words that are no options, before "--" (HOST PORT).
  const std::vector<std::string>& words() const { return words_; }
  /// The words after "--".
  const std::vector<std::string>& after_dashes() const { return after_; }
  /// Take from `file` every option not given here.
  void fill_from(const OptionValues& file);
  /// Record a value (a switch: "true"). Throws UsageError for a second value
  /// of an option that is no list.
  void add(const OptionSpec& spec, std::string value, std::string_view where);

 private:
  const std::vector<std::string>* find(std::string_view name) const;
  std::vector<std::pair<std::string, std::vector<std::string>>> values_;
  std::vector<std::string> words_, after_;
  friend OptionValues read_command_line(std::span<const OptionSpec>, int, const char* const*);
};

OptionValues read_command_line(std::span<const OptionSpec> table, int argc, const char* const* argv);
OptionValues read_config_file(std::span<const OptionSpec> table, const std::string& path);

/// The --help lines, one per option.
std::string describe(std::span<const OptionSpec> table);

/// A small text file, whole (a config file): nullopt when it cannot be read.
std::optional<std::string> read_small_file(const std::string& path);

}  // namespace spoolgate
