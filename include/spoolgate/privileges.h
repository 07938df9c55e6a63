// privileges.h - never run as root: switch to --user, or refuse
//
// DESCRIPTION
//   drop_privileges() runs before any input is read. Started as root with
//   --user NAME, it sets the supplementary groups to NAME's primary group
//   only, then the group, then the user, and checks that root cannot be
//   regained. Started as root without --user, it refuses, as spawn(8) and
//   pipe(8) refuse to run a command as root. Not root: nothing to do.
//
// DIAGNOSTICS
//   PrivilegeError, whose what() cli.cc prints before exit 78 (EX_CONFIG).
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

namespace spoolgate {

struct PrivilegeError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

void drop_privileges(const std::string& user);

/// When running as root with `user` given: that user's IDs (for what root
/// creates on its behalf, such as the log file); else nothing.
std::optional<std::pair<unsigned, unsigned>> ids_for(const std::string& user);

}  // namespace spoolgate
