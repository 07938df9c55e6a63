// hook_group.cc - the process group every hook runs in, and its watcher
#include "spoolgate/hook_group.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace spoolgate {
namespace {

// watch - the watcher: wait for EOF on `alive` (spoolgate has ended, since
// nothing else holds the write end), then kill the group, itself included
[[noreturn]] void watch(int alive) {
  ::setpgid(0, 0);
  ::prctl(PR_SET_NAME, "spoolgate-watch");  // what ps and top show
  if (::dup2(alive, 0) < 0) ::_exit(1);
  close_from(1);
  char c;
  for (;;) {
    ssize_t n = ::read(0, &c, 1);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // EOF: spoolgate is gone
  }
  ::kill(-::getpgrp(), SIGKILL);
  ::_exit(0);
}

}  // namespace

HookGroup& HookGroup::of_this_process() {
  static HookGroup group;
  return group;
}

pid_t HookGroup::pgid() {
  if (watcher_ > 0) {
    int st;
    if (::waitpid(watcher_, &st, WNOHANG) == 0) return watcher_;
    watcher_ = -1;  // someone killed it: start another
    alive_.reset();
  }
  Pipe pipe = Pipe::create();
  pid_t pid = ::fork();
  if (pid < 0) throw errno_error("fork (hook group watcher)");
  if (pid == 0) watch(pipe.read.get());
  ::setpgid(pid, pid);  // also from here: the group exists before a hook joins it
  watcher_ = pid;
  alive_ = std::move(pipe.write);
  return watcher_;
}

void HookGroup::forget() {
  if (watcher_ <= 0) return;
  int st;
  while (::waitpid(watcher_, &st, 0) < 0 && errno == EINTR) {
  }
  watcher_ = -1;
  alive_.reset();
}

}  // namespace spoolgate
