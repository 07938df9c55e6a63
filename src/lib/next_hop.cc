// next_hop.cc - the SMTP client side: one connection to the next hop
#include "spoolgate/next_hop.h"

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/net.h"
#include "spoolgate/smtp_command.h"
#include "spoolgate/text.h"

namespace spoolgate {

// connect - the next hop's every address in turn (see net.h)
void NextHop::connect() {
  try {
    Connection c = connect_to(config_.endpoint, config_.timeout);
    sock_ = std::move(c.fd);
    relay_ = std::move(c.peer);
  } catch (const ConnectError& e) {
    throw NextHopError(e.what());
  }
}

// open - connect, 220, EHLO (or HELO), extensions
void NextHop::open() {
  stream_.reset();
  features_ = {};
  in_data_ = false;
  connect();
  stream_ = std::make_unique<SmtpStream>(sock_.get(), sock_.get(), config_.timeout, Peer::next_hop);
  Reply greeting = read_reply();
  if (greeting.code != 220) throw NextHopError("greeting: " + greeting.summary());
  Reply ehlo = command("EHLO " + config_.hostname);
  if (!ehlo.positive()) {
    Reply helo = command("HELO " + config_.hostname);
    if (!helo.positive()) throw NextHopError("HELO: " + helo.summary());
    return;
  }
  for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
    std::string_view line = ehlo.lines[i];
    std::size_t sp = line.find(' ');
    std::string_view keyword = line.substr(0, sp);
    std::string_view rest = sp == std::string_view::npos ? std::string_view() : line.substr(sp + 1);
    if (iequals(keyword, "PIPELINING")) features_.pipelining = true;
    else if (iequals(keyword, "8BITMIME")) features_.eightbitmime = true;
    else if (iequals(keyword, "DSN")) features_.dsn = true;
    else if (iequals(keyword, "SMTPUTF8")) features_.smtputf8 = true;
    else if (iequals(keyword, "SIZE")) {
      features_.size = true;
      std::uint64_t n = 0;
      for (char c : rest) {
        if (c < '0' || c > '9' || n > UINT64_MAX / 10 - 10) break;
        n = n * 10 + static_cast<std::uint64_t>(c - '0');
      }
      features_.size_limit = n;
    } else if (iequals(keyword, "XFORWARD")) {
      while (!rest.empty()) {
        std::size_t s = rest.find(' ');
        if (s != 0) features_.xforward.emplace_back(rest.substr(0, s));
        rest = s == std::string_view::npos ? std::string_view() : rest.substr(s + 1);
      }
    }
  }
}

void NextHop::send(std::string_view line) {
  if (log::verbose()) log::debug("next hop > {}", log::printable(line));
  stream_->write(line);
  stream_->write("\r\n");
}

// read_reply - one reply, every line checked and bounded
Reply NextHop::read_reply() {
  Reply reply;
  for (;;) {
    SmtpStream::Line line = stream_->read_line(kMaxReplyLine);
    if (line.too_long) throw NextHopError("reply line too long");
    if (log::verbose()) log::debug("next hop < {}", log::printable(line.text));
    std::optional<ReplyLine> parsed = parse_reply_line(line.text);
    if (!parsed) throw NextHopError("malformed reply: " + log::printable(line.text, 80));
    if (reply.code != 0 && parsed->code != reply.code)
      throw NextHopError("reply code changed within a reply: " + log::printable(line.text, 80));
    if (reply.lines.size() >= kMaxReplyLines) throw NextHopError("reply has too many lines");
    reply.code = parsed->code;
    reply.lines.emplace_back(parsed->text);
    if (!parsed->more) return reply;
  }
}

// checked - the reply classes that can end a command: 2, 4, 5 (3 only
// where the caller expects it, as for DATA)
const Reply& NextHop::checked(const Reply& r, std::string_view what, bool positive_ok) {
  if ((r.klass() == 2 && positive_ok) || r.klass() == 4 || r.klass() == 5) return r;
  throw NextHopError(fmt::format("unexpected reply to {}: {}", what, r.summary()));
}

std::string Delivery::what() const {
  switch (stage) {
    case Stage::mail: return "MAIL FROM";
    case Stage::rcpt: return fmt::format("RCPT TO:<{}>", recipient);
    case Stage::data: return "DATA";
    case Stage::end_of_data: return "end of data";
  }
  return "?";
}

// data - the only place that sends the final "."
Delivery NextHop::data(const OutgoingMessage& m) {
  Delivery d = begin_data();
  if (d.stage == Delivery::Stage::data) return d;
  log::debug("next hop > (message: {} octets of header fields, {} octets)", m.prefix.size(), m.body.size());
  stream_->write(m.prefix);
  if (std::optional<std::string_view> small = m.body.in_memory()) {
    stream_->write(*small);  // prefix, message and "." in one write
  } else {
    stream_->send_file(m.body.fd(), 0, m.body.size());
  }
  return end_data();
}

// begin_data - DATA and its reply: Stage::end_of_data means 354, go on
Delivery NextHop::begin_data() {
  Delivery d;
  d.stage = Delivery::Stage::data;
  Reply r = command("DATA");
  if (r.code != 354) {  // a refusal is an answer; a 2xx here is a broken next hop
    d.reply = checked(r, "DATA", false);
    return d;
  }
  d.stage = Delivery::Stage::end_of_data;
  d.reply = r;
  in_data_ = true;
  return d;
}

void NextHop::stream(std::string_view wire) { stream_->write(wire); }

void NextHop::stream(const Spool& spool, std::uint64_t offset, std::uint64_t n) {
  stream_->send_file(spool.fd(), static_cast<off_t>(offset), n);
}

// end_data - the final "." and the reply to it; with data(), the only place
// that ever sends it
Delivery NextHop::end_data() {
  stream_->write(".\r\n");
  stream_->flush();
  in_data_ = false;
  Delivery d;
  d.stage = Delivery::Stage::end_of_data;
  d.reply = checked(read_reply(), "end of data");
  return d;
}

// abort - inside DATA the only way to drop a message is to drop the
// connection: no QUIT (it would be message text), no final "."
void NextHop::abort() noexcept {
  in_data_ = false;
  stream_.reset();
  sock_.reset();
}

// mail_command - MAIL FROM with the parameters the message needs and the
// next hop announced
std::string NextHop::mail_command(const Envelope& env, const OutgoingMessage& m) const {
  std::string mail = fmt::format("MAIL FROM:<{}>", env.sender);
  if (features_.size) mail += fmt::format(" SIZE={}", m.size + m.prefix.size());
  if (features_.eightbitmime && m.body.has_8bit()) mail += " BODY=8BITMIME";
  bool utf8 = !is_ascii(env.sender);
  for (const std::string& r : env.recipients) utf8 = utf8 || !is_ascii(r);
  if (utf8 && features_.smtputf8) mail += " SMTPUTF8";
  return mail;
}

// deliver - one transaction, all recipients or none: one refusal and the
// message is not sent (a 4xx refusal wins over a 5xx: try again)
Delivery NextHop::deliver(const Envelope& env, const OutgoingMessage& m) {
  Delivery d;
  const bool pipelining = features_.pipelining;  // without it, one command at a time (RFC 2920)
  send(mail_command(env, m));
  if (!pipelining && !(d.reply = checked(read_reply(), "MAIL FROM")).positive()) return d;
  std::vector<Reply> rcpt;
  for (const std::string& r : env.recipients) {
    send(fmt::format("RCPT TO:<{}>", r));
    if (!pipelining) rcpt.push_back(checked(read_reply(), "RCPT TO"));
  }
  if (pipelining) {
    d.reply = checked(read_reply(), "MAIL FROM");
    for (std::size_t i = 0; i < env.recipients.size(); ++i) rcpt.push_back(checked(read_reply(), "RCPT TO"));
    if (!d.reply.positive()) return d;
  }
  std::optional<std::size_t> refused;
  for (std::size_t i = 0; i < rcpt.size(); ++i) {
    if (rcpt[i].positive()) continue;
    if (!refused || (rcpt[i].klass() == 4 && rcpt[*refused].klass() != 4)) refused = i;
  }
  if (refused) {
    d.stage = Delivery::Stage::rcpt;
    d.recipient = env.recipients[*refused];
    d.reply = rcpt[*refused];
    command("RSET");
    return d;
  }
  return data(m);
}

// quit - QUIT and close at once (inside DATA: abort()): the 221 tells us nothing we need, and
// waiting for it would keep this process (and its spawn(8) slot) a round
// trip longer
void NextHop::quit() noexcept {
  if (!stream_) return;
  if (in_data_) return abort();  // "QUIT" would be message text
  try {
    stream_->set_timeout(std::min(config_.timeout, std::chrono::duration_cast<std::chrono::milliseconds>(kQuitWait)));
    send("QUIT");
    stream_->flush();
  } catch (...) {
  }
  stream_.reset();
  sock_.reset();
}

}  // namespace spoolgate
