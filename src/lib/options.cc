// options.cc - the command line and --config file, read once into an immutable Options
#include "spoolgate/options.h"

#include <boost/program_options.hpp>
#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "spoolgate/bounds.h"
#include "spoolgate/header_block.h"
#include "spoolgate/hook_argv.h"
#include "spoolgate/net.h"
#include "spoolgate/text.h"

namespace po = boost::program_options;

namespace spoolgate {
namespace {

// describe - every option, with the names used on the command line and in files
po::options_description describe() {
  po::options_description d("Options");
  // clang-format off
  d.add_options()
    ("next-hop", po::value<std::string>(), "next hop HOST:PORT or [ADDR]:PORT (default 127.0.0.1:10026)")
    ("hook", po::value<std::vector<std::string>>(), "filter hook command, split like a shell, run without one (repeatable: a chain)")
    ("hook-output", po::value<std::vector<std::string>>(), "check | headers | rewrite (default check): once, or once per --hook")
    ("hook-timeout", po::value<std::string>(), "seconds before the hooks are killed and the message deferred (60)")
    ("add-header", po::value<std::vector<std::string>>(), "\"Name: value\" added to every forwarded message (repeatable)")
    ("spool-dir", po::value<std::string>(), "directory for messages larger than --spool-memory ($TMPDIR or /tmp)")
    ("spool-memory", po::value<std::string>(), "messages up to this size stay in memory (1M)")
    ("quarantine-dir", po::value<std::string>(), "keep a copy of every rejected or discarded message here")
    ("hostname", po::value<std::string>(), "name in the greeting and in EHLO to the next hop (localhost)")
    ("user", po::value<std::string>(), "when started as root, switch to this user before reading input")
    ("max-size", po::value<std::string>(), "largest message accepted, 0 = no limit of its own (0)")
    ("timeout", po::value<std::string>(), "longest wait for either peer, seconds (300)")
    ("log", po::value<std::string>(), "syslog | stderr | none (syslog)")
    ("log-file", po::value<std::string>(), "append log lines to this file instead")
    ("verbose,v", po::bool_switch(), "also log the SMTP dialogue on both sides")
    ("pipe", po::bool_switch(), "simple-filter mode for pipe(8): -f SENDER -- RECIPIENT... < message")
    ("sender,f", po::value<std::string>(), "--pipe: the envelope sender (\"\" for <>)")
    ("deadline", po::value<std::string>(), "--pipe: limit for the whole run, seconds (600)")
    ("queue-id", po::value<std::string>(), "--pipe, --try: Postfix's queue ID (pipe(8)'s ${queue_id})")
    ("try", po::bool_switch(), "run the hooks on a message from stdin as in production, deliver nothing, say what would happen")
    ("quarantine-days", po::value<std::string>(), "for spoolgate-quarantine expire: keep quarantined messages this many days (30)")
    ("config", po::value<std::string>(), "read options from FILE (name = value lines)")
    ("version", po::bool_switch(), "print the version and exit")
    ("help,h", po::bool_switch(), "print this help and exit");
  // clang-format on
  return d;
}

bool is_switch(const std::string& name) {
  return name == "verbose" || name == "pipe" || name == "try" || name == "version" || name == "help";
}

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
}

// read_config - "name = value" lines into parsed options, checked against `desc`
po::parsed_options read_config(const std::string& path, const po::options_description& desc) {
  std::ifstream in(path);
  if (!in) throw UsageError(fmt::format("cannot read config file {}", path));
  po::parsed_options parsed(&desc);
  std::string line;
  int lineno = 0;
  while (std::getline(in, line)) {
    ++lineno;
    std::string t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    auto where = [&] { return fmt::format("config file {}, line {}", path, lineno); };
    std::size_t eq = t.find('=');
    if (eq == std::string::npos) throw UsageError(where() + ": expected \"name = value\"");
    std::string name = trim(t.substr(0, eq));
    std::string value = trim(t.substr(eq + 1));
    if (name == "config") throw UsageError(where() + ": config cannot be set in a config file");
    if (desc.find_nothrow(name, false) == nullptr || name.size() < 2)
      throw UsageError(fmt::format("{}: unknown option '{}'", where(), name));
    po::option opt;
    opt.string_key = name;
    if (is_switch(name)) {
      if (value == "true" || value == "yes" || value == "1") {
        parsed.options.push_back(opt);
      } else if (value != "false" && value != "no" && value != "0") {
        throw UsageError(fmt::format("{}: '{}' wants true or false, not '{}'", where(), name, value));
      }
      continue;
    }
    opt.value.push_back(value);
    opt.original_tokens = {name, value};
    parsed.options.push_back(opt);
  }
  return parsed;
}

// split_at_dashes - argv before the "--" that ends the options, and after it
void split_at_dashes(int argc, const char* const* argv, std::vector<std::string>* before,
                     std::vector<std::string>* after) {
  static const char* const kWithValue[] = {"--next-hop",  "--hook",       "--hook-output", "--hook-timeout",
                                           "--add-header", "--spool-dir",   "--spool-memory", "--quarantine-dir",
                                           "--hostname",  "--user",       "--max-size",    "--timeout",
                                           "--log",       "--log-file",   "--deadline",    "--config",
                                           "--sender",    "-f",           "--queue-id",    "--quarantine-days"};
  int i = 1;
  for (; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    before->push_back(a);
    for (const char* w : kWithValue) {
      if (a == w && i + 1 < argc) {
        before->push_back(argv[++i]);
        break;
      }
    }
  }
  for (; i < argc; ++i) after->push_back(argv[i]);
}

std::string get(const po::variables_map& vm, const char* name, std::string fallback) {
  return vm.count(name) ? vm[name].as<std::string>() : fallback;
}

}  // namespace

// parse_bytes - digits with an optional k, M or G (powers of 1024)
std::uint64_t parse_bytes(const std::string& option, const std::string& value) {
  std::uint64_t n = 0;
  std::size_t i = 0;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) {
    if (n > (UINT64_MAX - 9) / 10) throw UsageError(fmt::format("--{}: '{}' is too large", option, value));
    n = n * 10 + static_cast<std::uint64_t>(value[i] - '0');
  }
  if (i == 0) throw UsageError(fmt::format("--{}: '{}' is not a size in bytes", option, value));
  std::uint64_t mult = 1;
  if (i < value.size()) {
    switch (value[i]) {
      case 'k': case 'K': mult = 1024; break;
      case 'm': case 'M': mult = 1024 * 1024; break;
      case 'g': case 'G': mult = 1024ULL * 1024 * 1024; break;
      default: throw UsageError(fmt::format("--{}: '{}' is not a size in bytes", option, value));
    }
    if (i + 1 != value.size()) throw UsageError(fmt::format("--{}: '{}' is not a size in bytes", option, value));
  }
  if (n > UINT64_MAX / mult) throw UsageError(fmt::format("--{}: '{}' is too large", option, value));
  return n * mult;
}

// parse_days - a whole number of days, 0 to 36500
unsigned parse_days(const std::string& value) {
  if (value.empty() || value.size() > 5 || value.find_first_not_of("0123456789") != std::string::npos ||
      std::stoul(value) > 36500)
    throw UsageError(fmt::format("--quarantine-days: '{}' is not a number of days (0 to 36500)", value));
  return static_cast<unsigned>(std::stoul(value));
}

// parse_seconds - "30" or "2.5", more than zero, at most a day
std::chrono::milliseconds parse_seconds(const std::string& option, const std::string& value) {
  auto bad = [&] { return UsageError(fmt::format("--{}: '{}' is not a number of seconds", option, value)); };
  if (value.empty() || value.size() > 12) throw bad();
  long long whole = 0, frac_ms = 0;
  std::size_t i = 0;
  for (; i < value.size() && value[i] >= '0' && value[i] <= '9'; ++i) whole = whole * 10 + (value[i] - '0');
  if (i == 0) throw bad();
  if (i < value.size()) {
    if (value[i] != '.') throw bad();
    long long scale = 100;
    for (++i; i < value.size(); ++i) {
      if (value[i] < '0' || value[i] > '9') throw bad();
      frac_ms += (value[i] - '0') * scale;
      scale /= 10;
    }
  }
  long long ms = whole * 1000 + frac_ms;
  if (ms <= 0) throw UsageError(fmt::format("--{}: must be more than 0 seconds", option));
  if (ms > 86'400'000) throw UsageError(fmt::format("--{}: at most 86400 seconds", option));
  return std::chrono::milliseconds(ms);
}

namespace {

// read_variables - the command line first: its values are final; the file fills the rest
po::variables_map read_variables(const std::vector<std::string>& before) {
  po::options_description desc = describe();
  po::options_description hidden;
  hidden.add_options()("positional", po::value<std::vector<std::string>>());
  po::options_description all;
  all.add(desc).add(hidden);
  po::positional_options_description positional;
  positional.add("positional", -1);
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(before)
                  .options(all)
                  .positional(positional)
                  .style(po::command_line_style::default_style & ~po::command_line_style::allow_guessing)
                  .run(),
              vm);
    if (vm.count("config")) po::store(read_config(vm["config"].as<std::string>(), desc), vm);
  } catch (const po::error& e) {
    throw UsageError(e.what());
  }
  return vm;
}

// take_next_hop - positional HOST [PORT] on the command line, or --next-hop
void take_next_hop(const po::variables_map& vm, const std::vector<std::string>& before, Options& o) {
  std::vector<std::string> words;
  if (vm.count("positional")) words = vm["positional"].as<std::vector<std::string>>();
  if (words.size() > 2) throw UsageError(fmt::format("unexpected argument '{}'", words[2]));
  Endpoint& to = o.next_hop.endpoint;
  if (!words.empty()) {
    bool next_hop_on_command_line = false;
    for (const std::string& a : before)
      next_hop_on_command_line = next_hop_on_command_line || a == "--next-hop" || a.rfind("--next-hop=", 0) == 0;
    if (next_hop_on_command_line) throw UsageError("give the next hop either as HOST PORT or as --next-hop, not both");
    to.host = words[0];
    if (to.host.size() > 2 && to.host.front() == '[' && to.host.back() == ']') to.host = to.host.substr(1, to.host.size() - 2);
    if (words.size() == 2) to.port = words[1];
  } else if (vm.count("next-hop")) {
    if (!split_host_port(vm["next-hop"].as<std::string>(), &to.host, &to.port))
      throw UsageError(fmt::format("--next-hop: '{}' is not HOST:PORT or [ADDR]:PORT", vm["next-hop"].as<std::string>()));
  }
  if (to.host.empty() || to.port.empty()) throw UsageError("the next hop needs a host and a port");
  o.next_hop.hostname = o.hostname;
  o.next_hop.timeout = o.timeout;
}

// output_mode - one --hook-output value
HookOutput output_mode(const std::string& mode) {
  if (mode == "check") return HookOutput::check;
  if (mode == "headers") return HookOutput::headers;
  if (mode == "rewrite") return HookOutput::rewrite;
  throw UsageError(fmt::format("--hook-output: '{}' is not check, headers or rewrite", mode));
}

// take_hooks - the chain: each --hook with its --hook-output (one for all,
// or one per hook, matched by position), checked; an empty --hook is none
// (so that the command line can empty the config file's chain)
void take_hooks(const po::variables_map& vm, Options& o) {
  std::vector<std::string> hooks, modes;
  if (vm.count("hook")) hooks = vm["hook"].as<std::vector<std::string>>();
  hooks.erase(std::remove(hooks.begin(), hooks.end(), std::string()), hooks.end());
  if (vm.count("hook-output")) modes = vm["hook-output"].as<std::vector<std::string>>();
  if (modes.size() > 1 && modes.size() != hooks.size())
    throw UsageError(fmt::format("--hook-output: {} given for {} hooks: give one for all, or one per --hook",
                                 modes.size(), hooks.size()));
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    HookSpec spec{hooks[i], {}, output_mode(modes.empty() ? "check" : modes[modes.size() == 1 ? 0 : i])};
    std::string error;
    if (!split_words(spec.command, &spec.words, &error) || !check_macros(spec.words, &error))
      throw UsageError(fmt::format("--hook: {}", error));
    o.filter.hooks.push_back(std::move(spec));
  }
  for (const std::string& m : modes) output_mode(m);  // checked even without a hook
  if (vm.count("hook-timeout"))
    o.filter.limits.timeout = parse_seconds("hook-timeout", vm["hook-timeout"].as<std::string>());
}

// take_filter - the hooks, --add-header, the spool and the quarantine
void take_filter(const po::variables_map& vm, Options& o) {
  take_hooks(vm, o);
  if (vm.count("add-header")) o.add_headers = vm["add-header"].as<std::vector<std::string>>();
  for (const std::string& h : o.add_headers) {
    std::string error;
    std::optional<std::string> wire;
    if (h.size() > kMaxAddHeader) error = fmt::format("longer than {} KiB", kMaxAddHeader / 1024);
    else if (h.find('\n') == std::string::npos && h.find(':') == std::string::npos) error = "not \"Name: value\"";
    else wire = header_block_to_wire(h, &error);
    if (!wire) throw UsageError(fmt::format("--add-header: '{}': {}", log::printable(h, 80), error));
    o.filter.add_header_wire += *wire;
  }
  const char* tmpdir = std::getenv("TMPDIR");
  SpoolConfig& spool = o.filter.limits.spool;
  spool.dir = get(vm, "spool-dir", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (vm.count("spool-memory")) spool.memory = parse_bytes("spool-memory", vm["spool-memory"].as<std::string>());
  o.filter.limits.max_size = o.max_size;
  o.filter.quarantine_dir = get(vm, "quarantine-dir", "");
}

// take_log - --log, or --log-file, which wins
void take_log(const po::variables_map& vm, Options& o) {
  std::string target = get(vm, "log", "syslog");
  if (target == "syslog") o.log_target = log::Target::syslog;
  else if (target == "stderr") o.log_target = log::Target::stderr_;
  else if (target == "none") o.log_target = log::Target::none;
  else throw UsageError(fmt::format("--log: '{}' is not syslog, stderr or none", target));
  o.log_file = get(vm, "log-file", "");
  if (!o.log_file.empty()) o.log_target = log::Target::file;
}

// take_envelope - -f, the recipients after "--" and --queue-id: with
// --pipe (which needs them) and --try (where a quarantine file may bring them)
void take_envelope(const po::variables_map& vm, const std::vector<std::string>& after, Options& o) {
  if (vm.count("sender")) o.sender = vm["sender"].as<std::string>();
  o.recipients = after;
  o.queue_id = get(vm, "queue-id", "");
  if (o.pipe && o.try_mode) throw UsageError("--pipe and --try: one at a time");
  if (o.pipe) {
    if (!o.sender) throw UsageError("--pipe needs -f SENDER (-f \"\" for the null sender)");
    if (o.recipients.empty()) throw UsageError("--pipe needs recipients after \"--\"");
  } else if (!o.try_mode) {
    if (!o.recipients.empty()) throw UsageError(fmt::format("unexpected argument '{}' (recipients go with --pipe)", after[0]));
    if (o.sender) throw UsageError("-f is for --pipe and --try");
    if (!o.queue_id.empty()) throw UsageError("--queue-id is for --pipe and --try");
  }
  if (o.sender && o.recipients.empty()) throw UsageError("-f needs recipients after \"--\"");
}

}  // namespace

// parse_options - every option into its place, each checked
Options parse_options(int argc, const char* const* argv) {
  std::vector<std::string> before, after;
  split_at_dashes(argc, argv, &before, &after);
  po::variables_map vm = read_variables(before);

  Options o;
  o.help = vm["help"].as<bool>();
  o.version = vm["version"].as<bool>();
  o.verbose = vm["verbose"].as<bool>();
  o.pipe = vm["pipe"].as<bool>();
  o.try_mode = vm["try"].as<bool>();
  if (o.help || o.version) return o;
  o.config_file = get(vm, "config", "");
  if (vm.count("quarantine-days")) o.quarantine_days = parse_days(vm["quarantine-days"].as<std::string>());

  o.hostname = get(vm, "hostname", "localhost");
  if (o.hostname.empty()) throw UsageError("--hostname: empty");
  if (has_control(o.hostname) || !is_ascii(o.hostname) || o.hostname.find(' ') != std::string::npos)
    throw UsageError(fmt::format("--hostname: '{}' is not a host name", log::printable(o.hostname)));
  o.user = get(vm, "user", "");
  if (vm.count("max-size")) o.max_size = parse_bytes("max-size", vm["max-size"].as<std::string>());
  if (vm.count("timeout")) o.timeout = parse_seconds("timeout", vm["timeout"].as<std::string>());
  if (vm.count("deadline")) o.deadline = parse_seconds("deadline", vm["deadline"].as<std::string>());
  take_next_hop(vm, before, o);
  take_filter(vm, o);
  take_log(vm, o);
  take_envelope(vm, after, o);
  return o;
}

namespace {

// option_value - "NAME VALUE" or "NAME=VALUE" at argv[i]
std::optional<std::string> option_value(int argc, const char* const* argv, int i, std::string_view name) {
  std::string_view a = argv[i];
  if (a == name && i + 1 < argc) return std::string(argv[i + 1]);
  if (a.size() > name.size() && a.substr(0, name.size()) == name && a[name.size()] == '=')
    return std::string(a.substr(name.size() + 1));
  return std::nullopt;
}

}  // namespace

// log_file_hint - --log-file from the command line, else from the --config
// file, read leniently: for logging why the options could not be read
std::string log_file_hint(int argc, const char* const* argv) {
  std::string config;
  for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i) {
    if (std::optional<std::string> v = option_value(argc, argv, i, "--log-file")) return *v;
    if (std::optional<std::string> v = option_value(argc, argv, i, "--config")) config = *v;
  }
  std::ifstream in(config);
  std::string line;
  for (int n = 0; n < 10000 && std::getline(in, line); ++n) {
    std::size_t eq = line.find('=');
    if (eq != std::string::npos && trim(line.substr(0, eq)) == "log-file") return trim(line.substr(eq + 1));
  }
  return {};
}

std::string usage_text() {
  std::ostringstream s;
  s << "usage: spoolgate [OPTIONS] [HOST [PORT]]\n"
       "       spoolgate --pipe [OPTIONS] [HOST [PORT]] -f SENDER -- RECIPIENT...\n\n"
       "A Postfix content filter: speaks SMTP on stdin/stdout, runs each message\n"
       "through a hook, and forwards it to the next hop (default 127.0.0.1 10026).\n\n"
    << describe() << "\nSee spoolgate(8).\n";
  return s.str();
}

}  // namespace spoolgate
