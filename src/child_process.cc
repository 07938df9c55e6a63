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

#include "spoolgate/signals.h"

namespace spoolgate {
namespace {

// close_others - everything from `first` up; close_range(2), else a bounded loop
void close_others(unsigned first) {
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, ~0U, 0U) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  if (max < 0 || max > 65536) max = 65536;
  for (int fd = static_cast<int>(first); fd < max; ++fd) ::close(fd);
}

// move_high - a copy above 2, so that dup2 into 0, 1, 2 never clobbers a source
int move_high(int fd) { return fd < 0 ? -1 : ::fcntl(fd, F_DUPFD, 3); }

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
}

void ChildProcess::kill_group() {
  if (pid_ <= 0) return;
  ::kill(-pid_, SIGKILL);
  if (!status_) ::kill(pid_, SIGKILL);  // in case setpgid lost a race
}

std::optional<int> ChildProcess::try_wait() {
  if (status_) return status_;
  int st;
  pid_t r = retry_eintr([&] { return ::waitpid(pid_, &st, WNOHANG); });
  if (r == pid_) status_ = st;
  return status_;
}

// start - vfork, set the child up, exec. vfork: no page tables are copied
// and no copy-on-write faults follow (a hook per message is a fork per
// message). The child only makes system calls on data prepared here, and
// leaves by execve or _exit; the parent sleeps until then, so the exec's
// errno can come back through shared memory.
ChildProcess ChildProcess::start(const ChildSpec& spec) {
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const char* path = spec.path.c_str();
  const int fds[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};

  volatile int exec_errno = 0;
  pid_t parent = ::getpid();
  pid_t pid = ::vfork();
  if (pid < 0) throw errno_error("vfork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // spoolgate died before prctl
    int high[3];
    for (int i = 0; i < 3; ++i) high[i] = move_high(fds[i]);
    for (int i = 0; i < 3; ++i) {
      if (high[i] >= 0 && ::dup2(high[i], i) < 0) {
        exec_errno = errno;
        ::_exit(127);
      }
    }
    close_others(3);
    signals::reset_for_child();
    ::execve(path, argv.data(), envp.data());
    exec_errno = errno;
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so that kill(-pid) works at once
  ChildProcess child(pid);
  if (exec_errno != 0) {
    int st;
    retry_eintr([&] { return ::waitpid(pid, &st, 0); });
    child.status_ = st;
    throw errno_error("execute " + spec.path, exec_errno);
  }
  return child;
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
