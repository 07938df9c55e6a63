// quarantine.cc - keep a copy of a rejected or discarded message
#include "spoolgate/quarantine.h"

#include <fcntl.h>
#include <sys/sendfile.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include <fmt/core.h>

namespace spoolgate {

bool quarantine_keep(const std::string& dir, const Envelope& env, const char* verdict, const Spool& message,
                     std::string* result) {
  static unsigned counter = 0;
  std::string id;
  for (char c : env.log_queue_id())
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) id += c;
  std::string path = fmt::format("{}/{}-{}-{}-{}-{}", dir, id, verdict, static_cast<long long>(std::time(nullptr)),
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
    off_t offset = 0;
    std::uint64_t left = message.size();
    while (left > 0) {
      ssize_t n = ::sendfile(fd, message.fd(), &offset, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) throw errno_error("write quarantine file", n < 0 ? errno : EIO);
      left -= static_cast<std::uint64_t>(n);
    }
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
