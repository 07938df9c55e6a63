// quarantine.cc - keep a copy of a rejected or discarded message
#include "spoolgate/quarantine.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include <fmt/core.h>

namespace spoolgate {

bool quarantine_keep(const std::string& dir, const Envelope& env, Verdict verdict, const Spool& message,
                     std::string* result) {
  static unsigned counter = 0;
  std::string id;
  for (char c : env.log_queue_id())
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) id += c;
  std::string path = fmt::format("{}/{}-{}-{}-{}-{}", dir, id, to_string(verdict), static_cast<long long>(std::time(nullptr)),
                                 ::getpid(), ++counter);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *result = fmt::format("cannot create {}: {}", path, std::strerror(errno));
    return false;
  }
  Fd file(fd);
  try {
    std::string head = fmt::format("X-Envelope-From: <{}>\n", env.sender);
    for (const std::string& r : env.recipients) head += fmt::format("X-Envelope-To: <{}>\n", r);
    write_all(fd, head.data(), head.size(), "write quarantine file");
    copy_fd(fd, message.fd(), 0, message.size(), "write quarantine file");
    if (::fsync(fd) != 0) throw errno_error("sync quarantine file");
  } catch (const std::system_error& e) {
    ::unlink(path.c_str());
    *result = fmt::format("{}: {}", path, e.what());
    return false;
  }
  *result = path;
  return true;
}

}  // namespace spoolgate
