// hook_watcher.cc - the process that kills what the hooks started, once spoolgate ends
#include "spoolgate/hook_watcher.h"

#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

namespace spoolgate {
namespace {

// A hook's process group, as the watcher knows it.
struct Group {
  pid_t id;    // the hook's PID, which is also the group's ID
  bool ended;  // spoolgate has reaped the hook: only what it left may remain
};

bool group_exists(pid_t id) { return ::kill(-id, 0) == 0 || errno != ESRCH; }
bool process_exists(pid_t id) { return ::kill(id, 0) == 0 || errno != ESRCH; }

// ours - whether group `g` can still only be ours. A PID is not given out
// again while a process still has it as its group ID (Linux keeps it
// until no task refers to it), so once the hook is reaped, a process with
// the hook's PID means the group is empty and the number taken by someone
// else.
bool ours(const Group& g) { return !g.ended || !process_exists(g.id); }

class Groups {
 public:
  // a hook started (id > 0) or was reaped (id < 0)
  void note(pid_t record) {
    if (record < 0) {
      for (int i = 0; i < n_; ++i)
        if (g_[i].id == -record) g_[i].ended = true;
    }
    prune();
    if (record > 1) {
      if (n_ == HookWatcher::kMaxGroups) drop(0);
      g_[n_++] = {record, false};
    }
  }
  // spoolgate is gone: kill every group that is still ours
  void kill_all() {
    for (int i = 0; i < n_; ++i)
      if (ours(g_[i])) ::kill(-g_[i].id, SIGKILL);
  }

 private:
  // forget the ended groups that are empty or no longer ours
  void prune() {
    for (int i = n_ - 1; i >= 0; --i)
      if (g_[i].ended && (!group_exists(g_[i].id) || !ours(g_[i]))) drop(i);
  }
  void drop(int i) {
    for (int j = i + 1; j < n_; ++j) g_[j - 1] = g_[j];
    --n_;
  }
  Group g_[HookWatcher::kMaxGroups];
  int n_ = 0;
};

// watch - the watcher: follow the hooks' groups until EOF (spoolgate has
// ended: nothing else holds the write end), then kill what is left
[[noreturn]] void watch(int reports) {
  ::setpgid(0, 0);  // not in spoolgate's group: whoever signals that does not reach us
  ::prctl(PR_SET_NAME, "spoolgate-watch");  // what ps and top show
  if (::dup2(reports, 0) < 0) ::_exit(1);
  close_from(1);
  static Groups groups;  // 3 KB: not on the stack of a copy of spoolgate
  for (;;) {
    pid_t record;
    ssize_t r = retry_eintr([&] { return ::read(0, &record, sizeof record); });
    if (r != static_cast<ssize_t>(sizeof record)) break;  // EOF: spoolgate is gone
    groups.note(record);
  }
  groups.kill_all();
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

void HookWatcher::reaped(pid_t hook) noexcept {
  if (!report_.valid() || hook <= 1) return;
  pid_t record = -hook;
  (void)!::write(report_.get(), &record, sizeof record);  // a watcher gone is replaced at the next hook
}

}  // namespace spoolgate
