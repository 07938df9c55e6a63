// option_table.cc - every option once: the command line and config files read against one table
#include "spoolgate/option_table.h"

#include <fcntl.h>
#include <unistd.h>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/fd.h"

namespace spoolgate {
namespace {

const OptionSpec* long_option(std::span<const OptionSpec> table, std::string_view name) {
  for (const OptionSpec& s : table)
    if (s.name == name) return &s;
  return nullptr;
}

const OptionSpec* short_option(std::span<const OptionSpec> table, char letter) {
  for (const OptionSpec& s : table)
    if (s.letter != 0 && s.letter == letter) return &s;
  return nullptr;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// switch_value - a config file's true/false
bool switch_value(const OptionSpec& spec, std::string_view value, const std::string& where) {
  if (value == "true" || value == "yes" || value == "1") return true;
  if (value == "false" || value == "no" || value == "0") return false;
  throw UsageError(fmt::format("{}: '{}' wants true or false, not '{}'", where, spec.name, value));
}

// config_line - one "name = value" line of a config file
void config_line(std::span<const OptionSpec> table, std::string_view line, const std::string& where,
                 OptionValues& values) {
  std::size_t eq = line.find('=');
  if (eq == std::string_view::npos) throw UsageError(where + ": expected \"name = value\"");
  std::string_view name = trim(line.substr(0, eq));
  std::string_view value = trim(line.substr(eq + 1));
  if (name == "config") throw UsageError(where + ": config cannot be set in a config file");
  const OptionSpec* spec = long_option(table, name);
  if (spec == nullptr) throw UsageError(fmt::format("{}: unknown option '{}'", where, name));
  if (spec->kind != OptionKind::flag) values.add(*spec, std::string(value), where);
  else if (switch_value(*spec, value, where)) values.add(*spec, "true", where);
}

}  // namespace

const std::vector<std::string>* OptionValues::find(std::string_view name) const {
  for (const auto& [n, v] : values_)
    if (n == name) return &v;
  return nullptr;
}

std::string OptionValues::get(std::string_view name, std::string fallback) const {
  const std::vector<std::string>* v = find(name);
  return v && !v->empty() ? v->back() : fallback;
}

std::vector<std::string> OptionValues::list(std::string_view name) const {
  const std::vector<std::string>* v = find(name);
  return v ? *v : std::vector<std::string>();
}

void OptionValues::add(const OptionSpec& spec, std::string value, std::string_view where) {
  for (auto& [n, v] : values_) {
    if (n != spec.name) continue;
    if (spec.kind == OptionKind::value)
      throw UsageError(fmt::format("{}{}option '--{}' given more than once", where, where.empty() ? "" : ": ", spec.name));
    if (spec.kind == OptionKind::list) v.push_back(std::move(value));
    return;
  }
  values_.emplace_back(std::string(spec.name), std::vector<std::string>{std::move(value)});
}

void OptionValues::fill_from(const OptionValues& file) {
  for (const auto& [n, v] : file.values_)
    if (!has(n)) values_.emplace_back(n, v);
}

// read_command_line - long and one-letter options, words, and what follows "--"
OptionValues read_command_line(std::span<const OptionSpec> table, int argc, const char* const* argv) {
  OptionValues values;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (a == "--") break;
    if (a.size() < 2 || a[0] != '-') {
      values.words_.emplace_back(a);
      continue;
    }
    const bool long_form = a[1] == '-';
    std::string_view name = long_form ? a.substr(2) : a.substr(1, 1);
    std::optional<std::string_view> inline_value;
    if (long_form && name.find('=') != std::string_view::npos) {
      inline_value = name.substr(name.find('=') + 1);
      name = name.substr(0, name.find('='));
    } else if (!long_form && a.size() > 2) {
      inline_value = a.substr(2);  // -fVALUE
    }
    const OptionSpec* spec = long_form ? long_option(table, name) : short_option(table, name[0]);
    if (spec == nullptr) throw UsageError(fmt::format("unrecognised option '{}'", a));
    if (spec->kind == OptionKind::flag) {
      if (inline_value) throw UsageError(fmt::format("option '--{}' does not take a value", spec->name));
      values.add(*spec, "true", "");
      continue;
    }
    if (!inline_value) {
      if (i + 1 >= argc) throw UsageError(fmt::format("option '--{}' requires an argument", spec->name));
      inline_value = argv[++i];
    }
    values.add(*spec, std::string(*inline_value), "");
  }
  for (++i; i < argc; ++i) values.after_.emplace_back(argv[i]);
  return values;
}

// read_config_file - "name = value" lines, # comments
OptionValues read_config_file(std::span<const OptionSpec> table, const std::string& path) {
  std::optional<std::string> text = read_small_file(path);
  if (!text) throw UsageError(fmt::format("cannot read config file {}", path));
  OptionValues values;
  std::string_view rest = *text;
  for (int lineno = 1; !rest.empty(); ++lineno) {
    std::size_t nl = rest.find('\n');
    std::string_view line = trim(rest.substr(0, nl));
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (line.empty() || line[0] == '#') continue;
    config_line(table, line, fmt::format("config file {}, line {}", path, lineno), values);
  }
  return values;
}

// describe - "  --name VALUE, -x   help", aligned
std::string describe(std::span<const OptionSpec> table) {
  std::string out = "Options:\n";
  for (const OptionSpec& s : table) {
    std::string left = fmt::format("  --{}{}{}", s.name, s.value_name.empty() ? "" : " ", s.value_name);
    if (s.letter) left += fmt::format(", -{}", s.letter);
    out += fmt::format("{:<30} {}\n", left, s.help);
  }
  return out;
}

// read_small_file - open, read to the end, bounded
std::optional<std::string> read_small_file(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return std::nullopt;
  std::string text;
  char buf[kIoChunk];
  while (text.size() <= kMaxConfigFile) {
    ssize_t n = retry_eintr([&] { return ::read(fd.get(), buf, sizeof buf); });
    if (n < 0) return std::nullopt;
    if (n == 0) return text;
    text.append(buf, static_cast<std::size_t>(n));
  }
  return std::nullopt;  // no config file is that large
}

}  // namespace spoolgate
