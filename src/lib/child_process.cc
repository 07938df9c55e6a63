// child_process.cc - a hook process: execve without a shell, its own process group
#include "spoolgate/child_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <utility>

#include "spoolgate/hook_watcher.h"
#include "spoolgate/signals.h"

namespace spoolgate {
namespace {

// move_high - a copy above 2, so that dup2 into 0, 1, 2 never clobbers a source
int move_high(int fd) { return fd < 0 ? -1 : ::fcntl(fd, F_DUPFD, 3); }

// exec_child - in the vfork child: lead a process group of its own, tell
// the watcher, die with spoolgate, take the three descriptors and nothing
// else, exec. Only system calls here: the child shares spoolgate's memory
// until execve. A failure's errno goes back through `exec_errno` (the
// shared memory).
[[noreturn]] void exec_child(pid_t spoolgate, int watcher, const char* path, char* const* argv, char* const* envp,
                             const int fds[3], volatile int* exec_errno) {
  pid_t self = ::getpid();
  if (::setpgid(0, 0) != 0 || ::write(watcher, &self, sizeof self) != static_cast<ssize_t>(sizeof self)) {
    *exec_errno = errno != 0 ? errno : EPIPE;
    ::_exit(127);
  }
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);
  if (::getppid() != spoolgate) ::_exit(127);  // spoolgate died before prctl
  signals::reset_for_child();
  int high[3];
  for (int i = 0; i < 3; ++i) high[i] = move_high(fds[i]);
  for (int i = 0; i < 3; ++i) {
    if (high[i] < 0) {
      ::close(i);
    } else if (::dup2(high[i], i) < 0) {
      *exec_errno = errno;
      ::_exit(127);
    }
  }
  close_from(3);
  ::execve(path, argv, envp);
  *exec_errno = errno;
  ::_exit(127);
}

}  // namespace

ChildProcess::ChildProcess(pid_t pid) : pid_(pid) {
#ifdef SYS_pidfd_open
  int fd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (fd >= 0) {
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    pidfd_.reset(fd);
  }
#endif
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), pidfd_(std::move(other.pidfd_)), status_(other.status_) {}

ChildProcess::~ChildProcess() {
  if (pid_ <= 0 || status_) return;
  kill_group();
  int st;
  retry_eintr([&] { return ::waitpid(pid_, &st, 0); });
  HookWatcher::of_this_process().reaped(pid_);
}

// kill_group - the hook and all it started (its process group)
void ChildProcess::kill_group() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  if (!status_) ::kill(pid_, SIGKILL);  // in case it left its group (setsid)
}

std::optional<int> ChildProcess::try_wait() {
  if (status_) return status_;
  int st;
  pid_t r = retry_eintr([&] { return ::waitpid(pid_, &st, WNOHANG); });
  if (r == pid_) {
    status_ = st;
    HookWatcher::of_this_process().reaped(pid_);
  }
  return status_;
}

// start - vfork + execve, the child in a process group of its own, known to
// the HookWatcher before it execs
ChildProcess ChildProcess::start(const ChildSpec& spec) {
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int fds[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};
  const char* path = spec.path.c_str();
  int watcher = HookWatcher::of_this_process().report_fd();

  volatile int exec_errno = 0;
  pid_t parent = ::getpid();
  pid_t pid = ::vfork();
  if (pid == 0) exec_child(parent, watcher, path, argv.data(), envp.data(), fds, &exec_errno);
  if (pid < 0) throw errno_error("vfork");
  if (exec_errno != 0) {
    int st;
    retry_eintr([&] { return ::waitpid(pid, &st, 0); });
    HookWatcher::of_this_process().reaped(pid);
    throw errno_error("execute " + spec.path, exec_errno);
  }
  return ChildProcess(pid);
}

// find_program - execvp's search, done in the parent so a miss is an error
// we can report, and with the documented default for an unset PATH
std::optional<std::string> find_program(const std::string& name) {
  if (name.empty()) return std::nullopt;
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) == 0) return name;
    return std::nullopt;
  }
  const char* env = std::getenv("PATH");
  std::string path = env ? env : "/usr/bin:/bin";
  std::size_t start = 0;
  for (;;) {
    std::size_t colon = path.find(':', start);
    std::string dir = path.substr(start, colon == std::string::npos ? std::string::npos : colon - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;  // "" is the cwd
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  return std::nullopt;
}

}  // namespace spoolgate
