// hook_watcher.h - the process that kills what the hooks started, once spoolgate ends
//
// DESCRIPTION
//   Hooks must not outlive spoolgate, their own children included, even
//   when spoolgate dies by SIGKILL and runs no code (SPEC "The hook").
//   Each hook leads a process group of its own, and PR_SET_PDEATHSIG kills
//   the hook itself with spoolgate, but not what the hook started.
//
//   HookWatcher does the rest: one small process per spoolgate process (a
//   fork, made when the first hook starts, then kept for the connection).
//   It reads from a pipe whose write end only spoolgate holds. Each new hook
//   writes its PID, which is its process group's ID, to that pipe before it
//   execs, so the watcher knows every group before any hook code runs; once
//   spoolgate has reaped a hook it writes the PID again, negated. When
//   spoolgate ends, however it ends, the read sees EOF, and the watcher
//   kills (SIGKILL) the group of the hook still running, if any, and every
//   earlier group that still has members (what hooks left in the
//   background), then exits.
//
//   A group ID is a PID, and PIDs are reused. Linux gives a PID out again
//   only once no process has it as its PID or group ID, so while a reaped
//   hook's group has members its ID cannot be anyone else's; and if a
//   process has that PID again, the group is empty. The watcher kills a
//   reaped hook's group only when no process has the hook's PID: never a
//   stranger's group, whatever the load.
//
//   One fork per connection instead of one per hook, as the guardian
//   process spoolgate had before: a fork of spoolgate costs about 0.3 ms
//   here, where a whole vfork + exec of /bin/true costs 0.7 ms
//   (bench/RESULTS.md, run 4).
//
// DIAGNOSTICS
//   report_fd() throws std::system_error when the watcher cannot be started
//   (fork or pipe failed): the hook cannot start, and the message is
//   deferred.
//
// BUGS
//   The watcher remembers at most kMaxGroups groups that still have
//   members; after more hooks than that in one connection, each leaving
//   something behind that still runs, the oldest are no longer killed.
#pragma once

#include <sys/types.h>

#include "spoolgate/fd.h"

namespace spoolgate {

class HookWatcher {
 public:
  static constexpr int kMaxGroups = 256;

  /// The watcher of this process's hooks (one per process).
  static HookWatcher& of_this_process();

  /// The descriptor a new hook writes its PID to (a pid_t, in one write)
  /// before it execs; starts the watcher first if there is none, or if the
  /// last one died.
  int report_fd();
  /// Tell the watcher that spoolgate has reaped `hook` (never throws).
  void reaped(pid_t hook) noexcept;

 private:
  HookWatcher() = default;
  pid_t watcher_ = -1;
  Fd report_;  ///< the write end: closes when spoolgate ends
};

}  // namespace spoolgate
