// hook.cc - run the filter hook on one spooled message and collect what it says
#include "spoolgate/hook.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/builtin_hooks.h"
#include "spoolgate/child_process.h"
#include "spoolgate/header_block.h"
#include "spoolgate/log.h"
#include "spoolgate/reason.h"
#include "spoolgate/verdict.h"

extern char** environ;

namespace spoolgate {
namespace {

// StdoutCollector - what stdout means depends on the output mode
class StdoutCollector {
 public:
  StdoutCollector(HookOutput mode, const HookLimits& limits) : mode_(mode), limits_(limits) {
    if (mode == HookOutput::rewrite) spools_ = std::make_unique<MessageSpools>(limits.spool, true);
  }

  void feed(std::string_view bytes, bool eof) {
    last_.feed(bytes);
    switch (mode_) {
      case HookOutput::check:
        return;
      case HookOutput::headers:
        if (headers_.size() + bytes.size() > kMaxHookHeaders) overflow_ = true;
        else headers_.append(bytes);
        return;
      case HookOutput::rewrite:
        if (overflow_ || failed_) return;
        pending_.append(bytes);
        try {
          std::size_t used = decoder_.feed(pending_, eof, *spools_);
          pending_.erase(0, used);
          if (limits_.max_size > 0 && decoder_.size() > limits_.max_size) overflow_ = true;
        } catch (const std::system_error& e) {
          failed_ = true;
          error_ = e.what();
        }
        return;
    }
  }

  void finish(HookResult& r) {
    last_.finish();
    if (mode_ == HookOutput::rewrite) {
      feed({}, true);
      if (!failed_) {
        try {
          spools_->finish();
        } catch (const std::system_error& e) {
          failed_ = true;
          error_ = e.what();
        }
      }
    }
    if (mode_ == HookOutput::check) return;
    std::string error;
    if (overflow_) {
      error = mode_ == HookOutput::headers ? fmt::format("more than {} KiB of header output", kMaxHookHeaders / 1024)
                                           : "rewritten message larger than --max-size";
    } else if (failed_) {
      error = "cannot spool the rewritten message: " + error_;
    } else if (mode_ == HookOutput::headers) {
      r.headers = parse_header_block(headers_, &error);
    } else if (decoder_.size() == 0) {
      error = "empty rewritten message";
    } else {
      r.rewritten_size = decoder_.size();
      r.rewritten = std::move(spools_);
    }
    if (!error.empty()) {
      r.output_valid = false;
      r.problem = "invalid hook output: " + error;
    }
  }

  /// REASON's fallback in check mode; an unterminated last line counts.
  const std::string& last_line() {
    last_.finish();
    return last_.last();
  }

 private:
  HookOutput mode_;
  const HookLimits& limits_;
  LastLine last_;
  std::string headers_;
  bool overflow_ = false;
  bool failed_ = false;
  std::string error_;
  std::unique_ptr<MessageSpools> spools_;
  DataDecoder decoder_{DataDecoder::Mode::plain};
  std::string pending_;
};

// drain - read what is there; false at EOF
bool drain(int fd, const std::function<void(std::string_view)>& take) {
  char buf[kIoChunk];
  for (;;) {
    ssize_t n = retry_eintr([&] { return ::read(fd, buf, sizeof buf); });
    if (n > 0) {
      take(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n == 0) return false;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return false;
  }
}

}  // namespace

const char* to_string(HookOutput m) {
  switch (m) {
    case HookOutput::check: return "check";
    case HookOutput::headers: return "headers";
    case HookOutput::rewrite: return "rewrite";
  }
  return "?";
}

std::string HookResult::status_text() const {
  switch (end) {
    case End::exited:
      return std::to_string(status);
    case End::signaled: {
      const char* abbrev = ::sigabbrev_np(status);
      return abbrev ? std::string("SIG") + abbrev : "signal" + std::to_string(status);
    }
    case End::timed_out:
      return "timeout";
    case End::cannot_start:
      return "unavailable";
    case End::aborted:
      return "aborted";
  }
  return "?";
}

// hook_environment - what spoolgate inherited, each variable it sets
// itself replaced (so that no inherited SPOOLGATE_SENDER can stand in for
// the real one); every other variable, SPOOLGATE_* included, passes
std::vector<std::string> hook_environment(const std::vector<std::string>& extra) {
  auto ours = [&](const char* e) {
    std::string_view v(e);
    std::string_view name = v.substr(0, v.find('='));
    for (const std::string& x : extra)
      if (std::string_view(x).substr(0, x.find('=')) == name) return true;
    return name == "SPOOLGATE_RECIPIENTS_TRUNCATED";  // set only when true
  };
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e)
    if (!ours(*e)) env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

namespace {

// HookPipes - the read ends of the hook's stdout and stderr, and what came out of them
struct HookPipes {
  Fd out, err;
  bool out_open = true, err_open = true;
  StdoutCollector& collector;
  LastLine& stderr_last;

  bool open() const { return out_open || err_open; }
  // poll_once - wait for output, the hook's exit or `wake`, and take what came
  void poll_once(ChildProcess& child, const Deadline& wake) {
    pollfd fds[3];
    nfds_t n = 0;
    int out_i = -1, err_i = -1;
    if (out_open) fds[out_i = static_cast<int>(n++)] = {out.get(), POLLIN, 0};
    if (err_open) fds[err_i = static_cast<int>(n++)] = {err.get(), POLLIN, 0};
    if (!child.exited() && child.exit_fd() >= 0) fds[n++] = {child.exit_fd(), POLLIN, 0};
    Deadline until = wake;
    if (!child.exited() && child.exit_fd() < 0)  // no pidfd: look every 50 ms
      until = Deadline::earliest(wake, Deadline::after(std::chrono::milliseconds(50)));
    wait_for(fds, n, until);
    if (out_i >= 0 && fds[out_i].revents)
      out_open = drain(out.get(), [&](std::string_view b) { collector.feed(b, false); });
    if (err_i >= 0 && fds[err_i].revents)
      err_open = drain(err.get(), [&](std::string_view b) { stderr_last.feed(b); });
    child.try_wait();
  }
};

// watch - until the hook has exited and closed its output, or the deadline,
// or a keepalive that fails (the next hop is lost): how it ended
HookResult::End watch(ChildProcess& child, HookPipes& pipes, const Deadline& deadline,
                      const std::function<bool()>& keepalive) {
  auto next_keepalive = Deadline::after(kKeepAliveInterval);
  while (pipes.open() || !child.exited()) {
    if (deadline.expired()) return HookResult::End::timed_out;
    if (next_keepalive.expired()) {
      if (!keepalive()) return HookResult::End::aborted;
      next_keepalive = Deadline::after(kKeepAliveInterval);
    }
    pipes.poll_once(child, Deadline::earliest(deadline, next_keepalive));
  }
  return HookResult::End::exited;
}

// take_status - the exit status or signal of a hook that ended by itself
void take_status(int st, HookResult& r) {
  if (WIFEXITED(st)) {
    r.status = WEXITSTATUS(st);
  } else {
    r.end = HookResult::End::signaled;
    r.status = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
  }
}

// hook_env - the hook's whole environment (hook_environment): the
// envelope's SPOOLGATE_* and its output mode
std::vector<std::string> hook_env(HookOutput output, const Envelope& envelope) {
  std::vector<std::string> env = envelope.environment();
  env.push_back(std::string("SPOOLGATE_HOOK_OUTPUT=") + to_string(output));
  return hook_environment(env);
}

// start - the hook as a child: stdin the message, stdout and stderr pipes
std::optional<ChildProcess> start(const std::string& path, const std::vector<std::string>& argv, HookOutput output,
                                  const Envelope& envelope, const Spool& message, Pipe& out, Pipe& err,
                                  HookResult& r) {
  Fd input = message.open_reader();
  try {
    return ChildProcess::start(
        ChildSpec{path, argv, hook_env(output, envelope), input.get(), out.write.get(), err.write.get()});
  } catch (const std::system_error& e) {
    r.end = HookResult::End::cannot_start;
    r.problem = std::string("hook cannot start: ") + e.what();
    return std::nullopt;
  }
}

// HookRun - one run of one hook: what run_hook() was given, and where what
// the hook says goes
struct HookRun {
  const HookSpec& hook;
  const HookLimits& limits;
  const Envelope& envelope;
  const Spool& message;
  const Deadline& deadline;
  const std::function<bool()>& keepalive;
  StdoutCollector& collector;
  LastLine& stderr_last;
  HookResult& r;
};

// run_program - the hook as a process of its own: how it ended, its
// output fed to the collector and stderr_last
void run_program(const std::string& path, const std::vector<std::string>& argv, HookRun& run) {
  HookResult& r = run.r;
  Pipe out = Pipe::create();
  Pipe err = Pipe::create();
  std::optional<ChildProcess> child = start(path, argv, run.hook.output, run.envelope, run.message, out, err, r);
  if (!child) return;
  log::debug("hook: started {} as pid {}", log::printable(path), child->pid());
  out.write.reset();
  err.write.reset();
  set_nonblocking(out.read.get(), true);
  set_nonblocking(err.read.get(), true);

  HookPipes pipes{std::move(out.read), std::move(err.read), true, true, run.collector, run.stderr_last};
  r.end = watch(*child, pipes, run.deadline, run.keepalive);
  if (r.end == HookResult::End::timed_out) {
    r.timeout = run.limits.timeout;
    r.problem = cause(r);
  }
  if (r.end == HookResult::End::aborted) r.problem = "next hop lost while the hook ran";
  if (r.end != HookResult::End::exited) child->kill_group();
  // killed: reap it (SIGKILL cannot be ignored; the destructor waits for
  // good if 5 s were not enough)
  for (int i = 0; i < 5000 && !child->try_wait(); ++i) ::usleep(1000);
  if (r.end == HookResult::End::exited) take_status(*child->status(), r);
}

// run_inside - a built-in hook, in this process (builtin_hooks.h): what it
// says goes where a program's output would
void run_inside(const BuiltinHook& builtin, const std::vector<std::string>& argv, HookRun& run) {
  HookResult& r = run.r;
  Fd input = run.message.open_reader();
  std::vector<std::string> env = hook_env(run.hook.output, run.envelope);
  log::debug("hook: running builtin:{} in this process", builtin.name);
  BuiltinOutput said;
  try {
    said = builtin.run(BuiltinInput{argv, env, input.get(), run.deadline, run.keepalive});
  } catch (const NextHopLost& e) {
    r.end = HookResult::End::aborted;
    r.problem = e.what();
    return;
  }
  if (said.status != 0 && run.deadline.expired()) {  // its daemon outlasted --hook-timeout: as for a program
    r.end = HookResult::End::timed_out;
    r.timeout = run.limits.timeout;
    r.problem = cause(r);
    return;
  }
  run.collector.feed(said.out, false);
  run.stderr_last.feed(said.err);
  r.status = said.status;
}

}  // namespace

// run_hook - run it (a program, or a built-in in this process) under the
// deadline, keep the next hop alive, collect what it says
HookResult run_hook(const HookSpec& hook, const HookLimits& limits, const Envelope& envelope, const Spool& message,
                    const Deadline& deadline, const std::function<bool()>& keepalive) {
  HookResult r;
  std::vector<std::string> argv = expand(hook.words, envelope.macros());
  StdoutCollector collector(hook.output, limits);
  LastLine stderr_last;
  HookRun run{hook, limits, envelope, message, deadline, keepalive, collector, stderr_last, r};
  if (hook.builtin) {
    argv[0] = hook.builtin->name;
    run_inside(*hook.builtin, argv, run);
  } else {
    std::optional<std::string> path = find_program(argv[0]);
    if (!path) {
      r.end = HookResult::End::cannot_start;
      bool there = argv[0].find('/') != std::string::npos && ::access(argv[0].c_str(), F_OK) == 0;
      r.problem = (there ? "hook not executable: " : "hook not found: ") + log::printable(argv[0]);
      return r;
    }
    run_program(*path, argv, run);
    if (r.end == HookResult::End::cannot_start) return r;
  }
  if (r.end == HookResult::End::exited) collector.finish(r);
  stderr_last.finish();
  r.reason = stderr_last.last();
  if (r.reason.empty() && hook.output == HookOutput::check) r.reason = collector.last_line();
  return r;
}

}  // namespace spoolgate
