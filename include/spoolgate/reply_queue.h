// reply_queue.h - the replies owed to the client, in the order its commands came
//
// DESCRIPTION
//   A pipelining client (RFC 2920) sends a group of commands and reads the
//   replies in order. Some of spoolgate's replies are known at once (a 501,
//   the EHLO reply); others are the next hop's reply to a forwarded MAIL,
//   RCPT or XFORWARD, which is read only when the group has been forwarded,
//   so that it leaves in one write. ReplyQueue keeps both kinds in order:
//   push() a reply known now, expect() one the next hop owes, and resolve()
//   reads the next hop's replies and writes every reply in order. A reply
//   known now with nothing owed before it needs no queue: the caller writes
//   it straight away (see empty()).
//
//   The next hop's reply goes through the command's own `on_reply`, which
//   turns it into the client's reply (or into none, for a command the
//   client never sent, such as the RSET that aborts a transaction).
//
// DIAGNOSTICS
//   resolve() passes on what `read` and `on_reply` throw; the queue is left
//   as it was from the failing entry on.
#pragma once

#include <cstddef>
#include <deque>
#include <functional>
#include <optional>
#include <string>

#include "spoolgate/smtp_reply.h"

namespace spoolgate {

class ReplyQueue {
 public:
  using OnReply = std::function<std::optional<Reply>(const Reply&)>;

  /// A reply known now, rendered; it leaves after the ones owed before it.
  void push(std::string rendered) { entries_.push_back(Entry{std::move(rendered), {}}); }
  /// A reply the next hop owes to a command just sent.
  void expect(OnReply on_reply) {
    entries_.push_back(Entry{{}, std::move(on_reply)});
    ++awaiting_;
  }
  bool empty() const { return entries_.empty(); }
  /// Next hop replies not read yet.
  std::size_t awaiting() const { return awaiting_; }

  /// In order: write what is known, read what is owed (`read`) and write
  /// what `on_reply` makes of it. After each reply read, `stop()` may end
  /// the session's conversation: the rest is dropped, and false returned.
  bool resolve(const std::function<Reply()>& read, const std::function<void(const std::string&)>& write,
               const std::function<bool()>& stop);
  void clear() {
    entries_.clear();
    awaiting_ = 0;
  }

 private:
  struct Entry {
    std::string rendered;  ///< known now (when on_reply is empty)
    OnReply on_reply;      ///< owed by the next hop
  };
  std::deque<Entry> entries_;
  std::size_t awaiting_ = 0;
};

}  // namespace spoolgate
