// hook_watcher.cc - the process that kills what the hooks started, once spoolgate ends
#include "spoolgate/hook_watcher.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace spoolgate {
namespace {

// remember - add `group` to the watched groups, forgetting first those
// that no longer exist; when all kMaxGroups still do, the oldest goes
void remember(pid_t* groups, int& n, pid_t group) {
  int kept = 0;
  for (int i = 0; i < n; ++i)
    if (::kill(-groups[i], 0) == 0 || errno != ESRCH) groups[kept++] = groups[i];
  n = kept;
  if (n == HookWatcher::kMaxGroups) {
    for (int i = 1; i < n; ++i) groups[i - 1] = groups[i];
    --n;
  }
  groups[n++] = group;
}

// watch - the watcher: collect the hooks' group IDs until EOF (spoolgate
// has ended: nothing else holds the write end), then kill every group
[[noreturn]] void watch(int reports) {
  ::setpgid(0, 0);  // not in spoolgate's group: whoever signals that does not reach us
  ::prctl(PR_SET_NAME, "spoolgate-watch");  // what ps and top show
  if (::dup2(reports, 0) < 0) ::_exit(1);
  close_from(1);
  pid_t groups[HookWatcher::kMaxGroups];
  int n = 0;
  for (;;) {
    pid_t group;
    ssize_t r = ::read(0, &group, sizeof group);
    if (r < 0 && errno == EINTR) continue;
    if (r != static_cast<ssize_t>(sizeof group)) break;  // EOF: spoolgate is gone
    if (group > 1) remember(groups, n, group);
  }
  for (int i = 0; i < n; ++i) ::kill(-groups[i], SIGKILL);
  ::_exit(0);
}

}  // namespace

HookWatcher& HookWatcher::of_this_process() {
  static HookWatcher watcher;
  return watcher;
}

int HookWatcher::report_fd() {
  if (watcher_ > 0) {
    int st;
    if (::waitpid(watcher_, &st, WNOHANG) == 0) return report_.get();
    watcher_ = -1;  // someone killed it: start another
    report_.reset();
  }
  Pipe pipe = Pipe::create();
  pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork (hook watcher)");
  if (pid == 0) watch(pipe.read.get());
  watcher_ = pid;
  report_ = std::move(pipe.write);
  return report_.get();
}

}  // namespace spoolgate
