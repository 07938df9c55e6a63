// hook_env.cc - what spoolgate tells a hook in its environment
#include "spoolgate/scan/hook_env.h"

#include "spoolgate/scan/option_parser.h"

namespace spoolgate::scan {
namespace {

// output_mode - SPOOLGATE_HOOK_OUTPUT; unset or empty is check
OutputMode output_mode(const char* value) {
  std::string_view v = value ? value : "";
  if (v.empty() || v == "check") return OutputMode::check;
  if (v == "headers") return OutputMode::headers;
  if (v == "rewrite") return OutputMode::rewrite;
  throw UsageError("SPOOLGATE_HOOK_OUTPUT: expected check|headers|rewrite, not \"" + field_safe(v) + "\"");
}

// lines - the non-empty lines of a value
std::vector<std::string> lines(std::string_view v) {
  std::vector<std::string> out;
  while (!v.empty()) {
    std::size_t nl = v.find('\n');
    std::string_view line = v.substr(0, nl);
    if (!line.empty()) out.emplace_back(line);
    v = nl == std::string_view::npos ? std::string_view() : v.substr(nl + 1);
  }
  return out;
}

}  // namespace

HookEnv read_hook_env(const std::function<const char*(const char*)>& get) {
  auto value = [&get](const char* name) {
    const char* v = get(name);
    return std::string(v ? v : "");
  };
  HookEnv env;
  env.mode = output_mode(get("SPOOLGATE_HOOK_OUTPUT"));
  env.sender = value("SPOOLGATE_SENDER");
  env.recipients = lines(value("SPOOLGATE_RECIPIENTS"));
  env.client_address = value("SPOOLGATE_CLIENT_ADDRESS");
  env.client_hostname = value("SPOOLGATE_CLIENT_HOSTNAME");
  env.client_helo = value("SPOOLGATE_CLIENT_HELO");
  env.client_proto = value("SPOOLGATE_CLIENT_PROTO");
  env.client_source = value("SPOOLGATE_CLIENT_SOURCE");
  env.queue_id = value("SPOOLGATE_QUEUE_ID");
  return env;
}

std::string field_safe(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u >= 32 && u < 127) out += c;
  }
  return out;
}

}  // namespace spoolgate::scan
