// child_process.h - a hook process: execve without a shell, its own process group
//
// DESCRIPTION
//   ChildProcess::start() starts one program (vfork + execve) with the
//   argv, environment and three descriptors it is given, and nothing else:
//   - it leads a process group of its own, so kill_group() reaches the
//     hook and everything it started ("with extreme prejudice", as
//     Postfix's spawn_command does);
//   - if spoolgate dies, even by SIGKILL, the hook dies too
//     (PR_SET_PDEATHSIG = SIGKILL), and the HookWatcher, told of the group
//     before the exec, kills the rest of it, the hook's own children
//     included. So spawn(8) killing spoolgate leaves nothing behind;
//   - every other descriptor is closed (close_range), signal dispositions and
//     the signal mask are reset;
//   - an exec failure comes back to the parent as an error, not as a
//     mysterious exit status.
//
//   The destructor of a child still running kills its group and reaps it, so
//   that no exit path (an exception, a timeout) leaves a hook behind.
//
// DIAGNOSTICS
//   start() throws std::system_error (fork failed, exec failed with errno).
//
// SECURITY
//   No shell is ever involved. find_program() looks a bare name up in PATH,
//   or in /usr/bin:/bin when PATH is unset (as under spawn(8)).
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "spoolgate/fd.h"

namespace spoolgate {

struct ChildSpec {
  std::string path;                ///< the program, as execve wants it
  std::vector<std::string> argv;   ///< argv[0] included
  std::vector<std::string> env;    ///< the whole environment, "NAME=value"
  int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;
};

class ChildProcess {
 public:
  static ChildProcess start(const ChildSpec& spec);

  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&&) = delete;
  ChildProcess(const ChildProcess&) = delete;
  ~ChildProcess();

  pid_t pid() const { return pid_; }
  /// A descriptor that polls readable when the child exits, or -1.
  int exit_fd() const { return pidfd_.get(); }
  /// The wait status if the child has exited (reaps it), without waiting.
  std::optional<int> try_wait();
  bool exited() const { return status_.has_value(); }
  std::optional<int> status() const { return status_; }
  /// SIGKILL the whole process group.
  void kill_group();

 private:
  explicit ChildProcess(pid_t pid);
  pid_t pid_ = -1;
  Fd pidfd_;
  std::optional<int> status_;
};

/// Resolve a program name: a name with a slash as is, else the first
/// executable match in PATH (/usr/bin:/bin when PATH is unset).
std::optional<std::string> find_program(const std::string& name);

}  // namespace spoolgate
