// child_process.cc - a hook process: execve without a shell, its own process group
#include "spoolgate/child_process.h"

#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/resource.h>
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

namespace {

// on_parent_death - in the guardian: spoolgate is gone, so is the hook's group
void on_parent_death(int) { ::kill(-::getpgrp(), SIGKILL); }

// guard - the guardian: leads the process group, starts the hook in it,
// waits, and ends as the hook ended. If spoolgate dies (PR_SET_PDEATHSIG
// sends SIGUSR1), it kills the whole group, the hook's own children
// included, which PR_SET_PDEATHSIG on the hook alone could not do.
[[noreturn]] void guard(pid_t spoolgate, const char* path, char* const* argv, char* const* envp, const int fds[3],
                        int report) {
  ::setpgid(0, 0);
  struct sigaction sa {};
  sa.sa_handler = on_parent_death;
  sigemptyset(&sa.sa_mask);
  ::sigaction(SIGUSR1, &sa, nullptr);
  ::prctl(PR_SET_PDEATHSIG, SIGUSR1);
  if (::getppid() != spoolgate) ::_exit(127);  // spoolgate died before prctl
  // stdin, stdout, stderr for the hook; the report pipe on 3; nothing else
  int high[4];
  const int wanted[4] = {fds[0], fds[1], fds[2], report};
  for (int i = 0; i < 4; ++i) high[i] = move_high(wanted[i]);
  for (int i = 0; i < 4; ++i)
    if (high[i] >= 0 && ::dup2(high[i], i) < 0) ::_exit(127);
  close_others(4);
  ::fcntl(3, F_SETFD, FD_CLOEXEC);

  volatile int exec_errno = 0;
  pid_t guardian = ::getpid();
  pid_t hook = ::vfork();
  if (hook < 0) ::_exit(127);
  if (hook == 0) {
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != guardian) ::_exit(127);
    signals::reset_for_child();
    ::execve(path, argv, envp);
    exec_errno = errno;
    ::_exit(127);
  }
  if (exec_errno != 0) {
    int e = exec_errno;
    (void)!::write(3, &e, sizeof e);
    ::_exit(127);
  }
  // the hook holds its own descriptors: ours would only delay its EOFs
  for (int fd = 0; fd < 4; ++fd) ::close(fd);
  int st = 0;
  while (::waitpid(hook, &st, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(st)) ::_exit(WEXITSTATUS(st));
  // die of the same signal, so that spoolgate sees what the hook did
  int sig = WIFSIGNALED(st) ? WTERMSIG(st) : SIGKILL;
  struct rlimit no_core = {0, 0};  // this copy of spoolgate holds mail: no core file
  ::setrlimit(RLIMIT_CORE, &no_core);
  ::signal(sig, SIG_DFL);
  sigset_t none;
  sigemptyset(&none);
  ::sigprocmask(SIG_SETMASK, &none, nullptr);
  ::kill(::getpid(), sig);
  ::_exit(128 + sig);
}

}  // namespace

// start - a guardian process (fork), which starts the hook (vfork + exec)
// in its own process group and waits for it; see guard(). An exec failure
// comes back through a close-on-exec pipe: EOF means the hook is running.
ChildProcess ChildProcess::start(const ChildSpec& spec) {
  std::vector<char*> argv, envp;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  for (const std::string& e : spec.env) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  const int fds[3] = {spec.stdin_fd, spec.stdout_fd, spec.stderr_fd};

  Pipe report = Pipe::create();
  pid_t parent = ::getpid();
  pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork");
  if (pid == 0) guard(parent, spec.path.c_str(), argv.data(), envp.data(), fds, report.write.get());
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
