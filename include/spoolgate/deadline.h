// deadline.h - a point in time after which a wait gives up
//
// DESCRIPTION
//   A Deadline is a value on the steady clock. Every wait in spoolgate
//   (poll on a peer, on the hook, on a connect) takes one, so that each
//   time limit is stated once, where the wait starts. Deadline::never()
//   waits forever.
#pragma once

#include <chrono>
#include <climits>

namespace spoolgate {

class Deadline {
 public:
  using Clock = std::chrono::steady_clock;

  /// A deadline `d` from now.
  static Deadline after(Clock::duration d) { return Deadline(Clock::now() + d); }
  /// A deadline that never expires.
  static Deadline never() { return Deadline(Clock::time_point::max()); }

  bool is_never() const { return at_ == Clock::time_point::max(); }
  bool expired() const { return !is_never() && Clock::now() >= at_; }

  /// Milliseconds left, as poll(2) wants them: -1 for never, 0 when expired.
  int poll_ms() const {
    if (is_never()) return -1;
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(at_ - Clock::now());
    if (left.count() <= 0) return 0;
    if (left.count() > INT_MAX) return INT_MAX;
    // round up, so that a wait does not end a fraction of a millisecond early
    return static_cast<int>(left.count()) + 1;
  }

  /// The earlier of two deadlines.
  static Deadline earliest(const Deadline& a, const Deadline& b) {
    return Deadline(a.at_ < b.at_ ? a.at_ : b.at_);
  }

  Clock::time_point at() const { return at_; }

 private:
  explicit Deadline(Clock::time_point at) : at_(at) {}
  Clock::time_point at_;
};

}  // namespace spoolgate
