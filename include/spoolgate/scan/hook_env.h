// scan/hook_env.h - what spoolgate tells a hook in its environment
//
// DESCRIPTION
//   HookEnv is the SPOOLGATE_* environment of the hook contract (SPEC "The
//   hook"): the output mode (SPOOLGATE_HOOK_OUTPUT: check, headers or
//   rewrite; unset or empty is check), the envelope (sender, empty for <>;
//   recipients, one per line) and the client (address, hostname, HELO,
//   XFORWARD SOURCE and PROTO) and Postfix's queue ID. Empty values stay
//   empty: spoolgate leaves them so when Postfix did not say.
//
//   field_safe() makes a value fit inside one header field or request
//   line: control characters (CR and LF above all) and 8-bit octets go.
//
// DIAGNOSTICS
//   read_hook_env() throws UsageError for an unknown SPOOLGATE_HOOK_OUTPUT.
//
// SECURITY
//   The values come from the SMTP client through Postfix's XFORWARD: every
//   value a hook puts in a request to a daemon goes through field_safe(),
//   so that none can add a line to the request.
#pragma once

#include <cstdlib>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace spoolgate::scan {

enum class OutputMode { check, headers, rewrite };

struct HookEnv {
  OutputMode mode = OutputMode::check;
  std::string sender;
  std::vector<std::string> recipients;
  std::string client_address;
  std::string client_hostname;
  std::string client_helo;
  std::string client_proto;
  std::string client_source;
  std::string queue_id;
};

/// The environment through `get` (::getenv by default; tests pass a map).
HookEnv read_hook_env(const std::function<const char*(const char*)>& get = ::getenv);

/// `value` without control characters and 8-bit octets.
std::string field_safe(std::string_view value);

}  // namespace spoolgate::scan
