// reply_queue.cc - the replies owed to the client, in the order its commands came
#include "spoolgate/reply_queue.h"

namespace spoolgate {

// resolve - one entry at a time, so that an exception leaves the rest queued
bool ReplyQueue::resolve(const std::function<Reply()>& read, const std::function<void(const std::string&)>& write,
                         const std::function<bool()>& stop) {
  while (!entries_.empty()) {
    Entry e = std::move(entries_.front());
    entries_.pop_front();
    if (!e.on_reply) {
      write(e.rendered);
      continue;
    }
    --awaiting_;
    Reply r = read();
    if (std::optional<Reply> ours = e.on_reply(r)) write(ours->render());
    if (stop()) {
      clear();
      return false;
    }
  }
  return true;
}

}  // namespace spoolgate
