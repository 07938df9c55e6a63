// log.cc - where log lines go: syslog, a shared file, stderr, or nowhere
#include "spoolgate/log.h"

#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

#include <ctime>

#include "spoolgate/fd.h"

namespace spoolgate::log {
namespace {

struct State {
  Target target = Target::none;
  Fd file;
  std::string hostname = "localhost";
  bool verbose = false;
};

State& state() {
  static State s;
  return s;
}

}  // namespace

// init - open the destination once
void init(Target target, const std::string& path, bool verbose) {
  State& s = state();
  s.target = target;
  s.verbose = verbose;
  switch (target) {
    case Target::syslog:
      ::openlog("spoolgate", LOG_PID, LOG_MAIL);
      break;
    case Target::file: {
      int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOCTTY, 0640);
      if (fd < 0) throw errno_error("open log file " + path);
      s.file.reset(fd);
      // the machine's name, as syslog and Postfix's maillog_file show it
      char name[256] = "";
      if (::gethostname(name, sizeof name - 1) == 0 && name[0]) s.hostname = name;
      break;
    }
    case Target::stderr_:
    case Target::none:
      break;
  }
}

bool verbose() { return state().verbose; }

bool enabled() { return state().target != Target::none; }

// write - one line, one write(2): concurrent writers never interleave within a line
void write(int priority, std::string_view line) {
  State& s = state();
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
