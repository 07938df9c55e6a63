// message_log.cc - the one log line per message
#include "spoolgate/message_log.h"

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"

namespace spoolgate {

// log_line - Postfix's style: "QUEUEID: name=value, ..."
std::string log_line(const Envelope& env, const Outcome& o) {
  std::string to;
  for (const std::string& r : env.recipients) {
    std::string item = fmt::format("{}<{}>", to.empty() ? "" : ",", log::printable(r));
    if (to.size() + item.size() > kMaxLogRecipients) {
      to += "...";
      break;
    }
    to += item;
  }
  double delay = std::chrono::duration<double>(Deadline::Clock::now() - env.start).count();
  std::string line = fmt::format("{}: from=<{}>, to={}, nrcpt={}, size={}, verdict={}, hook={}, delay={:.2f}, relay={}, reply=({})",
                     log::printable(env.log_queue_id(), 64), log::printable(env.sender), to, env.recipients.size(),
                                 env.size, to_string(o.verdict), o.hook, delay, o.relay.empty() ? "none" : o.relay, o.reply);
  if (o.verdict != Verdict::accept) line += fmt::format(", reason=({})", log::printable(o.reason));
  return line;
}

void log_message(const Envelope& env, const Outcome& outcome) {
  if (log::enabled()) log::info("{}", log_line(env, outcome));
}

}  // namespace spoolgate
