// envelope.cc - one transaction's envelope: what the hook sees
#include "spoolgate/envelope.h"

#include "spoolgate/bounds.h"

namespace spoolgate {

MacroValues Envelope::macros() const {
  MacroValues v;
  v.sender = sender;
  v.recipients = recipients;
  v.client_address = client.addr;
  v.client_hostname = client.name;
  v.client_helo = client.helo;
  v.queue_id = client.ident;
  v.size = std::to_string(size);
  return v;
}

// environment - the recipient list is cut at a recipient boundary past
// kMaxEnvRecipients (Linux refuses longer environment strings)
std::vector<std::string> Envelope::environment() const {
  std::string rcpts;
  bool truncated = false;
  for (const std::string& r : recipients) {
    std::size_t add = r.size() + (rcpts.empty() ? 0 : 1);
    if (rcpts.size() + add > kMaxEnvRecipients) {
      truncated = true;
      break;
    }
    if (!rcpts.empty()) rcpts += '\n';
    rcpts += r;
  }
  std::vector<std::string> env = {
      "SPOOLGATE_SENDER=" + sender,
      "SPOOLGATE_RECIPIENTS=" + rcpts,
      "SPOOLGATE_CLIENT_ADDRESS=" + client.addr,
      "SPOOLGATE_CLIENT_HOSTNAME=" + client.name,
      "SPOOLGATE_CLIENT_HELO=" + client.helo,
      "SPOOLGATE_QUEUE_ID=" + client.ident,
      "SPOOLGATE_SIZE=" + std::to_string(size),
      "SPOOLGATE_CLIENT_SOURCE=" + client.source,
      "SPOOLGATE_CLIENT_PROTO=" + client.proto,
  };
  if (truncated) env.push_back("SPOOLGATE_RECIPIENTS_TRUNCATED=1");
  return env;
}

}  // namespace spoolgate
