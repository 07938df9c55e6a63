// log.cc - where log lines go: syslog, a shared file, stderr, or nowhere
#include "spoolgate/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include "spoolgate/fd.h"

namespace spoolgate::log {
namespace {

struct State {
  Target target = Target::none;
  Fd file;
  std::string path;
  std::string hostname = "localhost";
  bool verbose = false;
  bool mirror = false;  ///< every line to syslog too
};

State& state() {
  static State s;
  return s;
}

// open_log_file - append to it; a new file is 0640 (the umask of
// spawn(8) or pipe(8) would make it 0600) and, created by root for --user,
// that user's
int open_log_file(const std::string& path, std::optional<Owner> owner) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW, 0640);
  if (fd >= 0) {
    ::fchmod(fd, 0640);
    if (owner) (void)!::fchown(fd, owner->uid, owner->gid);
    return fd;
  }
  if (errno != EEXIST) return -1;
  return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOCTTY);
}

}  // namespace

// init - open the destination once; a log file that cannot be opened falls
// back to syslog
bool init(Target target, const std::string& path, bool verbose, std::optional<Owner> owner) {
  State& s = state();
  s.target = target;
  s.verbose = verbose;
  s.path = path;
  if (target == Target::file) {
    int fd = open_log_file(path, owner);
    if (fd < 0) {
      int err = errno;
      s.target = Target::syslog;
      ::openlog("spoolgate", LOG_PID, LOG_MAIL);
      write(4, fmt::format("warning: cannot open log file {}: {}; logging to syslog", path, std::strerror(err)));
      return false;
    }
    s.file.reset(fd);
    // the machine's name, as syslog and Postfix's maillog_file show it
    char name[256] = "";
    if (::gethostname(name, sizeof name - 1) == 0 && name[0]) s.hostname = name;
  }
  if (target == Target::syslog) ::openlog("spoolgate", LOG_PID, LOG_MAIL);
  return true;
}

void mirror_to_syslog() {
  ::openlog("spoolgate", LOG_PID, LOG_MAIL);
  state().mirror = true;
}

bool syslog_available() {
  struct stat st;
  return ::stat("/dev/log", &st) == 0;
}

std::string destination() {
  const State& s = state();
  switch (s.target) {
    case Target::syslog: return syslog_available() ? "syslog" : "syslog (no /dev/log here: nothing is logged; use --log-file)";
    case Target::file: return "file " + s.path;
    case Target::stderr_: return "stderr";
    case Target::none: return "none";
  }
  return "?";
}

bool verbose() { return state().verbose; }

bool enabled() { return state().target != Target::none; }

// write - one line, one write(2): concurrent writers never interleave within a line
void write(int priority, std::string_view line) {
  State& s = state();
  if (s.mirror && s.target != Target::syslog)
    ::syslog(LOG_MAIL | priority, "%.*s", static_cast<int>(line.size()), line.data());
  switch (s.target) {
    case Target::none:
      return;
    case Target::syslog:
      ::syslog(LOG_MAIL | priority, "%.*s", static_cast<int>(line.size()), line.data());
      return;
    case Target::stderr_: {
      std::string out = fmt::format("spoolgate[{}]: {}\n", ::getpid(), line);
      (void)!::write(2, out.data(), out.size());
      return;
    }
    case Target::file: {
      char stamp[32] = "";
      std::time_t now = std::time(nullptr);
      std::tm tm{};
      ::localtime_r(&now, &tm);
      std::strftime(stamp, sizeof stamp, "%b %e %H:%M:%S", &tm);
      std::string out = fmt::format("{} {} spoolgate[{}]: {}\n", stamp, s.hostname, ::getpid(), line);
      (void)!::write(s.file.get(), out.data(), out.size());
      return;
    }
  }
}

// printable - peer text made safe for a log line
std::string printable(std::string_view s, std::size_t max) {
  bool clean = s.size() <= max;
  for (std::size_t i = 0; clean && i < s.size(); ++i) {
    unsigned char u = static_cast<unsigned char>(s[i]);
    clean = u >= 32 && u < 127;
  }
  if (clean) return std::string(s);
  std::string out;
  out.reserve(std::min(s.size(), max));
  for (char c : s) {
    if (out.size() >= max) {
      out += "...";
      break;
    }
    unsigned char u = static_cast<unsigned char>(c);
    out += (u >= 32 && u < 127) ? c : '?';
  }
  return out;
}

}  // namespace spoolgate::log
