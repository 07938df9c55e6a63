// privileges.cc - never run as root: switch to --user, or refuse
#include "spoolgate/privileges.h"

#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <fmt/core.h>

#include "spoolgate/name_services.h"

namespace spoolgate {

std::optional<std::pair<unsigned, unsigned>> ids_for(const std::string& user) {
  if ((::geteuid() != 0 && ::getuid() != 0) || user.empty()) return std::nullopt;
  before_name_lookup();
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr || pw->pw_uid == 0) return std::nullopt;
  return std::pair<unsigned, unsigned>{pw->pw_uid, pw->pw_gid};
}

void drop_privileges(const std::string& user) {
  if (::geteuid() != 0 && ::getuid() != 0) return;
  if (user.empty()) throw PrivilegeError("refusing to run as root: give --user NAME");
  errno = 0;
  before_name_lookup();
  struct passwd* pw = ::getpwnam(user.c_str());
  if (pw == nullptr) throw PrivilegeError(fmt::format("--user: unknown user '{}'", user));
  if (pw->pw_uid == 0) throw PrivilegeError(fmt::format("--user: '{}' is root", user));
  uid_t uid = pw->pw_uid;
  gid_t gid = pw->pw_gid;
  if (::setgroups(1, &gid) != 0) throw PrivilegeError(fmt::format("setgroups: {}", std::strerror(errno)));
  if (::setresgid(gid, gid, gid) != 0) throw PrivilegeError(fmt::format("setgid: {}", std::strerror(errno)));
  if (::setresuid(uid, uid, uid) != 0) throw PrivilegeError(fmt::format("setuid: {}", std::strerror(errno)));
  if (::setuid(0) == 0 || ::geteuid() == 0) throw PrivilegeError("could regain root after switching user");
}

}  // namespace spoolgate
