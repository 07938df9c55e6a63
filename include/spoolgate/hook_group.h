// hook_group.h - the process group every hook runs in, and its watcher
//
// DESCRIPTION
//   Hooks must not outlive spoolgate, their own children included, even
//   when spoolgate dies by SIGKILL and runs no code (SPEC "The hook").
//   PR_SET_PDEATHSIG on the hook reaches the hook alone, so something else
//   must kill what the hook started.
//
//   HookGroup is that something: one small process per spoolgate process
//   (a fork, made when the first hook starts, then kept), the leader of a
//   new process group. Every hook joins that group. The watcher holds the
//   read end of a pipe whose only write end spoolgate holds: when spoolgate
//   ends, however it ends, the read sees EOF, and the watcher kills the
//   whole group (kill(-pgid, SIGKILL), itself included).
//
//   One fork per process instead of one per hook: a fork of spoolgate costs
//   about 0.3 ms here, where a whole vfork + exec of /bin/true costs 0.7 ms
//   (bench/RESULTS.md, run 4).
//
//   A hook's time limit kills the group (the hook and all it started), so
//   the watcher dies with it: forget() reaps it, and the next hook gets a
//   new one.
//
// DIAGNOSTICS
//   pgid() throws std::system_error when the watcher cannot be started
//   (fork or pipe failed): the hook cannot start, and the message is
//   deferred.
#pragma once

#include <sys/types.h>

#include "spoolgate/fd.h"

namespace spoolgate {

class HookGroup {
 public:
  /// The group of this process's hooks (one per process).
  static HookGroup& of_this_process();

  /// The group's ID, starting its watcher first if there is none.
  pid_t pgid();
  /// The group was killed (a hook's time limit): reap the watcher.
  void forget();

 private:
  HookGroup() = default;
  pid_t watcher_ = -1;
  Fd alive_;  ///< the write end: closes when spoolgate ends
};

}  // namespace spoolgate
