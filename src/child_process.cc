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

// start - fork, set the child up, exec; the exec's errno comes back by pipe
ChildProcess ChildProcess::start(const ChildSpec& spec) {
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);

  Pipe report = Pipe::create();
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork");
  if (pid == 0) {
    ::setpgid(0, 0);
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent) ::_exit(127);  // spoolgate died before prctl
    int in = move_high(spec.stdin_fd), out = move_high(spec.stdout_fd), err = move_high(spec.stderr_fd);
    int rep = move_high(report.write.get());
    if ((in >= 0 && ::dup2(in, 0) < 0) || (out >= 0 && ::dup2(out, 1) < 0) || (err >= 0 && ::dup2(err, 2) < 0))
      ::_exit(127);
    // fd 3 reports an exec failure and closes itself on success
    if (::dup2(rep, 3) < 0) ::_exit(127);
    close_others(4);
    ::fcntl(3, F_SETFD, FD_CLOEXEC);
    signals::reset_for_child();
    ::execve(spec.path.c_str(), argv.data(), envp.data());
    int e = errno;
    (void)!::write(3, &e, sizeof e);
    ::_exit(127);
  }
  ::setpgid(pid, pid);  // also from here, so that kill(-pid) works at once
  ChildProcess child(pid);
  report.write.reset();
  int e = 0;
  ssize_t n = retry_eintr([&] { return ::read(report.read.get(), &e, sizeof e); });
  if (n == static_cast<ssize_t>(sizeof e)) {
    int st;
    retry_eintr([&] { return ::waitpid(pid, &st, 0); });
    child.status_ = st;
    throw errno_error("execute " + spec.path, e);
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
