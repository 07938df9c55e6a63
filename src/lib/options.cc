// options.cc - the command line and --config file, read once into an immutable Options
#include "spoolgate/options.h"

#include <fmt/core.h>

#include <algorithm>
#include <cstdlib>

#include "spoolgate/bounds.h"
#include "spoolgate/builtin_hooks.h"
#include "spoolgate/header_block.h"
#include "spoolgate/hook_argv.h"
#include "spoolgate/net.h"
#include "spoolgate/option_table.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

// kOptions - every option, with the names used on the command line and in files
constexpr OptionSpec kOptions[] = {
    {"next-hop", 0, OptionKind::value, "HOST:PORT", "next hop HOST:PORT or [ADDR]:PORT (default 127.0.0.1:10026)"},
    {"hook", 0, OptionKind::list, "\"CMD ARG...\"", "filter hook, split like a shell, run without one; or builtin:clamav|spamassassin|rspamd (repeatable: a chain)"},
    {"hook-output", 0, OptionKind::list, "MODE", "check | headers | rewrite (check): once, or once per --hook"},
    {"hook-timeout", 0, OptionKind::value, "S", "seconds before the hooks are killed and the message deferred (60)"},
    {"add-header", 0, OptionKind::list, "\"Name: value\"", "added to every forwarded message (repeatable)"},
    {"spool-dir", 0, OptionKind::value, "DIR", "where messages larger than --spool-memory go ($TMPDIR or /tmp)"},
    {"spool-memory", 0, OptionKind::value, "BYTES", "messages up to this size stay in memory (1M)"},
    {"quarantine-dir", 0, OptionKind::value, "DIR", "keep a copy of every rejected or discarded message here"},
    {"hostname", 0, OptionKind::value, "NAME", "name in the greeting and in EHLO to the next hop (localhost)"},
    {"user", 0, OptionKind::value, "NAME", "when started as root, switch to this user before reading input"},
    {"max-size", 0, OptionKind::value, "BYTES", "largest message accepted, 0 = no limit of its own (0)"},
    {"timeout", 0, OptionKind::value, "S", "longest wait for either peer, seconds (300)"},
    {"log", 0, OptionKind::value, "WHERE", "syslog | stderr | none (syslog)"},
    {"log-file", 0, OptionKind::value, "PATH", "append log lines to this file instead"},
    {"verbose", 'v', OptionKind::flag, "", "also log the SMTP dialogue on both sides"},
    {"pipe", 0, OptionKind::flag, "", "simple-filter mode for pipe(8): -f SENDER -- RECIPIENT... < message"},
    {"sender", 'f', OptionKind::value, "SENDER", "--pipe, --try: the envelope sender (\"\" for <>)"},
    {"deadline", 0, OptionKind::value, "S", "--pipe: limit for the whole run, seconds (600)"},
    {"queue-id", 0, OptionKind::value, "ID", "--pipe, --try: Postfix's queue ID (pipe(8)'s ${queue_id})"},
    {"try", 0, OptionKind::flag, "", "run the hooks on a message from stdin as in production; deliver nothing"},
    {"quarantine-days", 0, OptionKind::value, "DAYS", "for spoolgate-quarantine expire: keep this many days (30)"},
    {"config", 0, OptionKind::value, "FILE", "read options from FILE (name = value lines)"},
    {"version", 0, OptionKind::flag, "", "print the version and exit"},
    {"help", 'h', OptionKind::flag, "", "print this help and exit"},
};

std::string trim(const std::string& s) {
  std::size_t b = s.find_first_not_of(" \t\r");
  if (b == std::string::npos) return {};
  std::size_t e = s.find_last_not_of(" \t\r");
  return s.substr(b, e - b + 1);
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

// read_values - the command line first: its values are final; the file fills the rest
OptionValues read_values(int argc, const char* const* argv) {
  OptionValues v = read_command_line(kOptions, argc, argv);
  if (!v.words().empty() && v.has("next-hop"))
    throw UsageError("give the next hop either as HOST PORT or as --next-hop, not both");
  if (v.has("config")) v.fill_from(read_config_file(kOptions, v.get("config")));
  return v;
}

// take_next_hop - positional HOST [PORT] on the command line, or --next-hop
void take_next_hop(const OptionValues& vm, Options& o) {
  const std::vector<std::string>& words = vm.words();
  if (words.size() > 2) throw UsageError(fmt::format("unexpected argument '{}'", words[2]));
  Endpoint& to = o.next_hop.endpoint;
  if (!words.empty()) {
    to.host = words[0];
    if (to.host.size() > 2 && to.host.front() == '[' && to.host.back() == ']') to.host = to.host.substr(1, to.host.size() - 2);
    if (words.size() == 2) to.port = words[1];
  } else if (vm.has("next-hop")) {
    if (!split_host_port(vm.get("next-hop"), &to.host, &to.port))
      throw UsageError(fmt::format("--next-hop: '{}' is not HOST:PORT or [ADDR]:PORT", vm.get("next-hop")));
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
void take_hooks(const OptionValues& vm, Options& o) {
  std::vector<std::string> hooks, modes;
  if (vm.has("hook")) hooks = vm.list("hook");
  hooks.erase(std::remove(hooks.begin(), hooks.end(), std::string()), hooks.end());
  if (vm.has("hook-output")) modes = vm.list("hook-output");
  if (modes.size() > 1 && modes.size() != hooks.size())
    throw UsageError(fmt::format("--hook-output: {} given for {} hooks: give one for all, or one per --hook",
                                 modes.size(), hooks.size()));
  for (std::size_t i = 0; i < hooks.size(); ++i) {
    HookSpec spec{hooks[i], {}, output_mode(modes.empty() ? "check" : modes[modes.size() == 1 ? 0 : i])};
    std::string error;
    if (!split_words(spec.command, &spec.words, &error) || !check_macros(spec.words, &error))
      throw UsageError(fmt::format("--hook: {}", error));
    try {
      spec.builtin = find_builtin_hook(spec.words[0]);
    } catch (const std::invalid_argument& e) {
      throw UsageError(fmt::format("--hook: {}", e.what()));
    }
    if (spec.builtin && spec.output == HookOutput::rewrite)  // the scanner hooks judge or add fields, never rewrite (DKIM)
      throw UsageError(fmt::format("--hook-output: builtin:{} never rewrites a message: give check or headers",
                                   spec.builtin->name));
    o.filter.hooks.push_back(std::move(spec));
  }
  for (const std::string& m : modes) output_mode(m);  // checked even without a hook
  if (vm.has("hook-timeout"))
    o.filter.limits.timeout = parse_seconds("hook-timeout", vm.get("hook-timeout"));
}

// take_filter - the hooks, --add-header, the spool and the quarantine
void take_filter(const OptionValues& vm, Options& o) {
  take_hooks(vm, o);
  if (vm.has("add-header")) o.add_headers = vm.list("add-header");
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
  spool.dir = vm.get("spool-dir", tmpdir && *tmpdir ? tmpdir : "/tmp");
  if (vm.has("spool-memory")) spool.memory = parse_bytes("spool-memory", vm.get("spool-memory"));
  o.filter.limits.max_size = o.max_size;
  o.filter.quarantine_dir = vm.get("quarantine-dir", "");
}

// take_log - --log, or --log-file, which wins
void take_log(const OptionValues& vm, Options& o) {
  std::string target = vm.get("log", "syslog");
  if (target == "syslog") o.log_target = log::Target::syslog;
  else if (target == "stderr") o.log_target = log::Target::stderr_;
  else if (target == "none") o.log_target = log::Target::none;
  else throw UsageError(fmt::format("--log: '{}' is not syslog, stderr or none", target));
  o.log_file = vm.get("log-file", "");
  if (!o.log_file.empty()) o.log_target = log::Target::file;
}

// take_envelope - -f, the recipients after "--" and --queue-id: with
// --pipe (which needs them) and --try (where a quarantine file may bring them)
void take_envelope(const OptionValues& vm, Options& o) {
  const std::vector<std::string>& after = vm.after_dashes();
  if (vm.has("sender")) o.sender = vm.get("sender");
  o.recipients = after;
  o.queue_id = vm.get("queue-id", "");
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
  OptionValues vm = read_values(argc, argv);

  Options o;
  o.help = vm.flag("help");
  o.version = vm.flag("version");
  o.verbose = vm.flag("verbose");
  o.pipe = vm.flag("pipe");
  o.try_mode = vm.flag("try");
  if (o.help || o.version) return o;
  o.config_file = vm.get("config", "");
  if (vm.has("quarantine-days")) o.quarantine_days = parse_days(vm.get("quarantine-days"));

  o.hostname = vm.get("hostname", "localhost");
  if (o.hostname.empty()) throw UsageError("--hostname: empty");
  if (has_control(o.hostname) || !is_ascii(o.hostname) || o.hostname.find(' ') != std::string::npos)
    throw UsageError(fmt::format("--hostname: '{}' is not a host name", log::printable(o.hostname)));
  o.user = vm.get("user", "");
  if (vm.has("max-size")) o.max_size = parse_bytes("max-size", vm.get("max-size"));
  if (vm.has("timeout")) o.timeout = parse_seconds("timeout", vm.get("timeout"));
  if (vm.has("deadline")) o.deadline = parse_seconds("deadline", vm.get("deadline"));
  take_next_hop(vm, o);
  take_filter(vm, o);
  take_log(vm, o);
  take_envelope(vm, o);
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
  std::optional<std::string> text = config.empty() ? std::nullopt : read_small_file(config);
  std::string_view rest = text ? std::string_view(*text) : std::string_view();
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string line(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    std::size_t eq = line.find('=');
    if (eq != std::string::npos && trim(line.substr(0, eq)) == "log-file") return trim(line.substr(eq + 1));
  }
  return {};
}

std::string usage_text() {
  return "usage: spoolgate [OPTIONS] [HOST [PORT]]\n"
         "       spoolgate --pipe [OPTIONS] [HOST [PORT]] -f SENDER -- RECIPIENT...\n"
         "       spoolgate --try [OPTIONS] [-f SENDER -- RECIPIENT...] < MESSAGE\n\n"
         "A Postfix content filter: speaks SMTP on stdin/stdout, runs each message\n"
         "through its hooks, and forwards it to the next hop (default 127.0.0.1 10026).\n\n" +
         describe(kOptions) + "\nSee spoolgate(8).\n";
}

}  // namespace spoolgate
