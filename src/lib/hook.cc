// hook.cc - run the filter hook on one spooled message and collect what it says
#include "spoolgate/hook.h"

#include <sys/wait.h>
#include <unistd.h>

#include <cstring>

#include "spoolgate/bounds.h"
#include "spoolgate/child_process.h"
#include "spoolgate/header_block.h"
#include "spoolgate/log.h"
#include "spoolgate/reason.h"

extern char** environ;

namespace spoolgate {
namespace {

// StdoutCollector - what stdout means depends on the output mode
class StdoutCollector {
 public:
  StdoutCollector(const Options& opts) : opts_(opts) {
    if (opts.hook_output == HookOutput::rewrite) {
      spool_.emplace(opts.spool_dir, opts.spool_memory);
      wire_.emplace(*spool_);
    }
  }

  void feed(std::string_view bytes, bool eof) {
    last_.feed(bytes);
    switch (opts_.hook_output) {
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
          std::size_t used = decoder_.feed(pending_, eof, *wire_);
          pending_.erase(0, used);
          if (opts_.max_size > 0 && decoder_.size() > opts_.max_size) overflow_ = true;
        } catch (const std::system_error& e) {
          failed_ = true;
          error_ = e.what();
        }
        return;
    }
  }

  void finish(HookResult& r) {
    last_.finish();
    if (opts_.hook_output == HookOutput::rewrite) {
      feed({}, true);
      if (!failed_) {
        try {
          spool_->finish_in_memory();
        } catch (const std::system_error& e) {
          failed_ = true;
          error_ = e.what();
        }
      }
    }
    if (opts_.hook_output == HookOutput::check) return;
    std::string error;
    if (overflow_) {
      error = opts_.hook_output == HookOutput::headers ? "more than 64 KiB of header output"
                                                       : "rewritten message larger than --max-size";
    } else if (failed_) {
      error = "cannot spool the rewritten message: " + error_;
    } else if (opts_.hook_output == HookOutput::headers) {
      if (auto wire = header_block_to_wire(headers_, &error)) r.headers_wire = std::move(*wire);
    } else if (decoder_.size() == 0) {
      error = "empty rewritten message";
    } else {
      r.rewritten_size = decoder_.size();
      r.rewritten = std::move(spool_);
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
  const Options& opts_;
  LastLine last_;
  std::string headers_;
  bool overflow_ = false;
  bool failed_ = false;
  std::string error_;
  std::optional<Spool> spool_;
  std::optional<WireWriter> wire_;
  DataDecoder decoder_{DataDecoder::Mode::plain};
  std::string pending_;
};

// drain - read what is there; false at EOF
bool drain(int fd, const std::function<void(std::string_view)>& take) {
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n > 0) {
      take(std::string_view(buf, static_cast<std::size_t>(n)));
      continue;
    }
    if (n == 0) return false;
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) return true;
    return false;
  }
}

}  // namespace

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

std::vector<std::string> hook_environment(const std::vector<std::string>& extra) {
  std::vector<std::string> env;
  for (char** e = environ; e && *e; ++e)
    if (std::strncmp(*e, "SPOOLGATE_", 10) != 0) env.emplace_back(*e);
  env.insert(env.end(), extra.begin(), extra.end());
  return env;
}

// run_hook - start, wait under the deadline, keep the next hop alive, collect
HookResult run_hook(const Options& opts, const Envelope& envelope, const Spool& message,
                    const std::function<bool()>& keepalive) {
  HookResult r;
  std::vector<std::string> argv = expand(opts.hook_words, envelope.macros());
  std::optional<std::string> path = find_program(argv[0]);
  if (!path) {
    r.end = HookResult::End::cannot_start;
    r.problem = "hook program not found or not executable: " + log::printable(argv[0]);
    return r;
  }
  Deadline deadline = Deadline::after(opts.hook_timeout);
  Pipe out = Pipe::create();
  Pipe err = Pipe::create();
  Fd input = message.open_reader();
  std::optional<ChildProcess> child;
  try {
    child.emplace(ChildProcess::start(
        ChildSpec{*path, argv, hook_environment(envelope.environment()), input.get(), out.write.get(), err.write.get()}));
  } catch (const std::system_error& e) {
    r.end = HookResult::End::cannot_start;
    r.problem = std::string("hook cannot start: ") + e.what();
    return r;
  }
  log::debug("hook: started {} as pid {}", log::printable(*path), child->pid());
  input.reset();
  out.write.reset();
  err.write.reset();
  set_nonblocking(out.read.get(), true);
  set_nonblocking(err.read.get(), true);

  StdoutCollector stdout_collector(opts);
  LastLine stderr_last;
  bool out_open = true, err_open = true;
  auto next_keepalive = Deadline::after(kKeepAliveInterval);

  while (out_open || err_open || !child->exited()) {
    if (deadline.expired()) {
      child->kill_group();
      r.end = HookResult::End::timed_out;
      r.problem = "hook timed out";
      break;
    }
    if (next_keepalive.expired()) {
      if (!keepalive()) {
        child->kill_group();
        r.end = HookResult::End::aborted;
        r.problem = "next hop lost while the hook ran";
        break;
      }
      next_keepalive = Deadline::after(kKeepAliveInterval);
    }
    pollfd fds[3];
    nfds_t n = 0;
    int out_i = -1, err_i = -1;
    if (out_open) fds[out_i = static_cast<int>(n++)] = {out.read.get(), POLLIN, 0};
    if (err_open) fds[err_i = static_cast<int>(n++)] = {err.read.get(), POLLIN, 0};
    bool watch_exit = !child->exited() && child->exit_fd() >= 0;
    if (watch_exit) fds[n++] = {child->exit_fd(), POLLIN, 0};
    Deadline wake = Deadline::earliest(deadline, next_keepalive);
    if (!child->exited() && child->exit_fd() < 0)  // no pidfd: look every 50 ms
      wake = Deadline::earliest(wake, Deadline::after(std::chrono::milliseconds(50)));
    wait_for(fds, n, wake);
    if (out_i >= 0 && fds[out_i].revents)
      out_open = drain(out.read.get(), [&](std::string_view b) { stdout_collector.feed(b, false); });
    if (err_i >= 0 && fds[err_i].revents)
      err_open = drain(err.read.get(), [&](std::string_view b) { stderr_last.feed(b); });
    child->try_wait();
  }
  // killed above: reap it (SIGKILL cannot be ignored; the destructor waits
  // for good if 5 s were not enough)
  for (int i = 0; i < 5000 && !child->try_wait(); ++i) ::usleep(1000);
  if (r.end == HookResult::End::exited && child->exited()) {
    int st = *child->status();
    if (WIFEXITED(st)) {
      r.status = WEXITSTATUS(st);
    } else {
      r.end = HookResult::End::signaled;
      r.status = WIFSIGNALED(st) ? WTERMSIG(st) : 0;
    }
    stdout_collector.finish(r);
  }
  stderr_last.finish();
  r.reason = stderr_last.last();
  if (r.reason.empty() && opts.hook_output == HookOutput::check) r.reason = stdout_collector.last_line();
  return r;
}

}  // namespace spoolgate
