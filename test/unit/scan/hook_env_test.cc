// hook_env_test.cc - unit tests of scan/hook_env.h
#include "spoolgate/scan/hook_env.h"

#include <catch2/catch.hpp>

#include <map>
#include <string>

#include "spoolgate/scan/option_parser.h"

using namespace spoolgate::scan;

namespace {

HookEnv env_of(const std::map<std::string, std::string>& vars) {
  return read_hook_env([&vars](const char* name) -> const char* {
    auto it = vars.find(name);
    return it == vars.end() ? nullptr : it->second.c_str();
  });
}

}  // namespace

TEST_CASE("the SPOOLGATE_* environment", "[scan_env]") {
  HookEnv e = env_of({{"SPOOLGATE_SENDER", "a@example.org"},
                      {"SPOOLGATE_RECIPIENTS", "b@example.org\nc@example.org\n"},
                      {"SPOOLGATE_CLIENT_ADDRESS", "192.0.2.10"},
                      {"SPOOLGATE_CLIENT_HOSTNAME", "mail.example.net"},
                      {"SPOOLGATE_CLIENT_HELO", "helo.example.net"},
                      {"SPOOLGATE_CLIENT_PROTO", "ESMTP"},
                      {"SPOOLGATE_CLIENT_SOURCE", "REMOTE"},
                      {"SPOOLGATE_QUEUE_ID", "4XyZ1"},
                      {"SPOOLGATE_HOOK_OUTPUT", "headers"}});
  CHECK(e.mode == OutputMode::headers);
  CHECK(e.sender == "a@example.org");
  CHECK(e.recipients == std::vector<std::string>{"b@example.org", "c@example.org"});
  CHECK(e.client_address == "192.0.2.10");
  CHECK(e.client_hostname == "mail.example.net");
  CHECK(e.client_helo == "helo.example.net");
  CHECK(e.client_proto == "ESMTP");
  CHECK(e.client_source == "REMOTE");
  CHECK(e.queue_id == "4XyZ1");
}

TEST_CASE("output mode: unset and empty are check; unknown is bad usage", "[scan_env]") {
  CHECK(env_of({}).mode == OutputMode::check);
  CHECK(env_of({{"SPOOLGATE_HOOK_OUTPUT", ""}}).mode == OutputMode::check);
  CHECK(env_of({{"SPOOLGATE_HOOK_OUTPUT", "check"}}).mode == OutputMode::check);
  CHECK(env_of({{"SPOOLGATE_HOOK_OUTPUT", "rewrite"}}).mode == OutputMode::rewrite);
  CHECK_THROWS_AS(env_of({{"SPOOLGATE_HOOK_OUTPUT", "Headers"}}), UsageError);
  HookEnv empty = env_of({});
  CHECK(empty.sender.empty());
  CHECK(empty.recipients.empty());
}

TEST_CASE("field_safe drops what could break a line", "[scan_env]") {
  CHECK(field_safe("a@example.org") == "a@example.org");
  CHECK(field_safe("evil\r\nX-Spam-Flag: NO") == "evilX-Spam-Flag: NO");
  CHECK(field_safe("tab\there\x7f\xc3\xa9") == "tabhere");
}
