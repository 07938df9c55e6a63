// spamd.cc - spamd's SPAMC/1.5 protocol: SYMBOLS, and the envelope SpamAssassin reads
#include "spoolgate/scan/spamd.h"

#include <sys/utsname.h>

#include <ctime>

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/scan/decimal.h"
#include "spoolgate/scan/response.h"

namespace spoolgate::scan {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
    s.remove_suffix(1);
  return s;
}

// names_client - a Received: field with "[ADDR]" (or Postfix's "[IPv6:ADDR]")
bool names_client(const std::vector<std::string>& received, const std::string& addr) {
  for (const std::string& r : received) {
    for (std::size_t at = r.find(addr); at != std::string::npos; at = r.find(addr, at + 1)) {
      bool open = at > 0 && (r[at - 1] == '[' || r[at - 1] == ':');
      if (open && at + addr.size() < r.size() && r[at + addr.size()] == ']') return true;
    }
  }
  return false;
}

// received_field - Postfix's format, which SpamAssassin's Received parser knows
std::string received_field(const HookEnv& env, std::string_view host, std::string_view date) {
  std::string addr = field_safe(env.client_address);
  std::string name = env.client_hostname.empty() ? "unknown" : field_safe(env.client_hostname);
  std::string helo = env.client_helo.empty() ? name : field_safe(env.client_helo);
  std::string proto = env.client_proto.empty() ? "SMTP" : field_safe(env.client_proto);
  std::string out = fmt::format("Received: from {} ({} [{}{}])\n\tby {} (spoolgate) with {}", helo, name,
                                addr.find(':') != std::string::npos ? "IPv6:" : "", addr, host, proto);
  if (!env.queue_id.empty()) out += " id " + field_safe(env.queue_id);
  if (env.recipients.size() == 1) out += fmt::format("\n\tfor <{}>", field_safe(env.recipients[0]));
  return out + fmt::format("; {}\n", date);
}

std::string this_host() {
  utsname u{};
  if (::uname(&u) != 0 || u.nodename[0] == '\0') return "localhost";
  return field_safe(u.nodename);
}

std::string rfc5322_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  ::localtime_r(&now, &tm);
  char buf[64];
  std::size_t n = std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S %z", &tm);
  return std::string(buf, n);
}

double number(std::string_view s) {
  s = trim(s);
  std::optional<double> d = parse_decimal(s);
  if (!d) throw DaemonError(fmt::format("garbage reply: \"{}\" is not a score", field_safe(s)));
  return *d;
}

// parse_spam_field - "True ; 1000.0 / 5.0"
void parse_spam_field(std::string_view v, SpamReport* r) {
  std::size_t semi = v.find(';');
  std::size_t slash = v.find('/', semi == std::string_view::npos ? 0 : semi);
  if (semi == std::string_view::npos || slash == std::string_view::npos)
    throw DaemonError(fmt::format("garbage reply: Spam: \"{}\"", field_safe(v)));
  std::string_view flag = trim(v.substr(0, semi));
  if (flag == "True" || flag == "Yes") r->spam = true;
  else if (flag == "False" || flag == "No") r->spam = false;
  else throw DaemonError(fmt::format("garbage reply: Spam: \"{}\"", field_safe(v)));
  r->score = number(v.substr(semi + 1, slash - semi - 1));
  r->required = number(v.substr(slash + 1));
}

}  // namespace

std::string envelope_prefix(const HookEnv& env, std::string_view header_block, std::string_view host,
                            std::string_view date) {
  std::string out;
  std::string addr = field_safe(env.client_address);
  if (!addr.empty() && !names_client(find_fields(header_block, "Received"), addr))
    out += received_field(env, host, date);
  if (find_fields(header_block, "X-Envelope-From").empty())
    out += fmt::format("X-Envelope-From: <{}>\n", field_safe(env.sender));
  return out;
}

// parse_spamd_reply - "SPAMD/1.1 0 EX_OK", "Spam: ...", the rule names as the body
SpamReport parse_spamd_reply(std::string_view reply) {
  Response r = parse_response(reply);
  std::string_view status = r.status_line;
  if (status.substr(0, 6) != "SPAMD/") throw DaemonError(fmt::format("garbage reply: \"{}\"", field_safe(status)));
  std::size_t code = status.find(' ');
  if (code == std::string_view::npos || status.substr(code + 1, 2) != "0 ")
    throw DaemonError(fmt::format("spamd answered \"{}\"", field_safe(status)));
  const std::string* spam = r.field("Spam");
  if (!spam) throw DaemonError("garbage reply: no Spam: field");
  SpamReport report;
  parse_spam_field(*spam, &report);
  std::string_view body = trim(r.body);
  while (!body.empty()) {
    std::size_t comma = body.find(',');
    std::string_view name = trim(body.substr(0, comma));
    if (!name.empty()) report.tests.emplace_back(name);
    body = comma == std::string_view::npos ? std::string_view() : body.substr(comma + 1);
  }
  return report;
}

SpamReport spamd_check(const Endpoint& to, const Message& message, const HookEnv& env, const Deadline& deadline,
                       std::chrono::milliseconds limit, const std::function<bool()>& keepalive) {
  std::string prefix = envelope_prefix(env, message.header_block(kMaxHeaderScan), this_host(), rfc5322_now());
  DaemonConn conn(to, deadline, limit, keepalive);
  auto send_request = [&] {
    conn.send(fmt::format("SYMBOLS SPAMC/1.5\r\nContent-length: {}\r\n\r\n", prefix.size() + message.size()));
    conn.send(prefix);
    message.for_each_chunk([&conn](std::string_view chunk) { conn.send(chunk); });
  };
  return parse_spamd_reply(conn.converse(send_request, kMaxSpamdReply, response_complete));
}

}  // namespace spoolgate::scan
