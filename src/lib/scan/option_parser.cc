// option_parser.cc - the scanner hooks' command line: a small table of options
#include "spoolgate/scan/option_parser.h"

#include <charconv>
#include <optional>

#include <fmt/core.h>

#include "spoolgate/scan/decimal.h"

namespace spoolgate::scan {

void OptionParser::add(std::string name, std::string value_name, std::string help, Setter set) {
  options_.push_back({std::move(name), std::move(value_name), std::move(help), std::move(set)});
}

const OptionParser::Option* OptionParser::find(std::string_view name) const {
  for (const Option& o : options_) {
    if (o.name == name) return &o;
  }
  return nullptr;
}

// OptionParser::parse - "--name value" or "--name=value"; nothing positional
bool OptionParser::parse(int argc, const char* const* argv) const {
  for (int i = 1; i < argc; ++i) {
    std::string_view word = argv[i];
    if (word == "--help" || word == "-h") return false;
    if (word.substr(0, 2) != "--") throw UsageError(fmt::format("unexpected argument \"{}\"", word));
    std::size_t eq = word.find('=');
    std::string_view name = word.substr(2, eq == std::string_view::npos ? std::string_view::npos : eq - 2);
    const Option* o = find(name);
    if (!o) throw UsageError(fmt::format("unknown option --{}", name));
    std::string_view value;
    if (eq != std::string_view::npos) {
      value = word.substr(eq + 1);
    } else {
      if (i + 1 >= argc) throw UsageError(fmt::format("--{} needs a value ({})", name, o->value_name));
      value = argv[++i];
    }
    o->set(value);
  }
  return true;
}

std::string OptionParser::usage(std::string_view program) const {
  std::string head = fmt::format("usage: {}", program);
  std::string lines;
  for (const Option& o : options_) {
    head += fmt::format(" [--{} {}]", o.name, o.value_name);
    lines += fmt::format("  --{} {}\n      {}\n", o.name, o.value_name, o.help);
  }
  return head + "\n" + lines;
}

void add_common_options(OptionParser& parser, CommonOptions* options) {
  parser.add("timeout", "S", "the whole conversation with the daemon, in seconds (default 20)",
             [options](std::string_view v) { options->timeout = parse_seconds("--timeout", v); });
  parser.add("max-size", "BYTES",
             fmt::format("larger messages are not sent to the daemon (K, M, G: 1024-based; default {})",
                         options->max_size),
             [options](std::string_view v) { options->max_size = parse_size("--max-size", v); });
  parser.add("oversize", "pass|defer", "what happens to a message too large to scan (default pass, with a note)",
             [options](std::string_view v) {
               options->oversize = parse_choice<Oversize>("--oversize", v, {{"pass", Oversize::pass}, {"defer", Oversize::defer}});
             });
}

std::chrono::milliseconds parse_seconds(std::string_view option, std::string_view value) {
  std::optional<double> d = parse_decimal(value);
  if (!d || *d <= 0 || *d > static_cast<double>(kMaxTimeout.count()))
    throw UsageError(fmt::format("{}: not a number of seconds from 0 to {}: \"{}\"", option, kMaxTimeout.count(), value));
  double ms = *d * 1000;
  long long whole = static_cast<long long>(ms);
  return std::chrono::milliseconds(whole < ms ? whole + 1 : whole);  // rounded up: never less than asked
}

// parse_size - digits, then at most one of K M G (either case)
std::uint64_t parse_size(std::string_view option, std::string_view value) {
  std::uint64_t n = 0;
  const char* end = value.data() + value.size();
  auto [p, ec] = std::from_chars(value.data(), end, n);
  int shift = 0;
  if (ec == std::errc() && p + 1 == end) {
    switch (*p) {
      case 'k': case 'K': shift = 10; break;
      case 'm': case 'M': shift = 20; break;
      case 'g': case 'G': shift = 30; break;
      default: shift = -1;
    }
    ++p;
  }
  if (ec != std::errc() || p != end || shift < 0 || n == 0 || n > (std::uint64_t{1} << 40) >> shift)
    throw UsageError(fmt::format("{}: not a size in octets (K, M, G allowed): \"{}\"", option, value));
  return n << shift;
}

double parse_score(std::string_view option, std::string_view value) {
  std::optional<double> d = parse_decimal(value);
  if (!d) throw UsageError(fmt::format("{}: not a score: \"{}\"", option, value));
  return *d;
}

Endpoint parse_daemon(std::string_view option, std::string_view value) {
  std::optional<Endpoint> e = parse_endpoint(value);
  if (!e) throw UsageError(fmt::format("{}: expected HOST:PORT, [ADDR]:PORT or unix:PATH, not \"{}\"", option, value));
  return *e;
}

}  // namespace spoolgate::scan
