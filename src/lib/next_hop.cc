// next_hop.cc - the SMTP client side: one connection to the next hop
#include "spoolgate/next_hop.h"

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/net.h"
#include "spoolgate/smtp_command.h"

namespace spoolgate {

// connect - the next hop's every address in turn (see net.h)
void NextHop::connect() {
  Endpoint to;
  to.host = opts_.next_hop_host;
  to.port = opts_.next_hop_port;
  try {
    Connection c = connect_to(to, opts_.timeout);
    sock_ = std::move(c.fd);
    relay_ = std::move(c.peer);
  } catch (const ConnectError& e) {
    throw NextHopError(e.what());
  }
}

// open - connect, 220, EHLO (or HELO), extensions
void NextHop::open() {
  connect();
  stream_ = std::make_unique<SmtpStream>(sock_.get(), sock_.get(), opts_.timeout, Peer::next_hop);
  Reply greeting = read_reply();
  if (greeting.code != 220) throw NextHopError("greeting: " + greeting.summary());
  Reply ehlo = command("EHLO " + opts_.hostname);
  if (!ehlo.positive()) {
    Reply helo = command("HELO " + opts_.hostname);
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

// send_message - the only place that sends the final "."
void NextHop::send_message(std::string_view prefix, const Spool& body) {
  log::debug("next hop > (message: {} octets of header fields, {} octets)", prefix.size(), body.size());
  stream_->write(prefix);
  if (std::optional<std::string_view> small = body.in_memory()) {
    stream_->write(*small);  // prefix, message and "." in one write
  } else {
    stream_->send_file(body.fd(), 0, body.size());
  }
  stream_->write(".\r\n");
  stream_->flush();
}

// quit - QUIT and close at once: the 221 tells us nothing we need, and
// waiting for it would keep this process (and its spawn(8) slot) a round
// trip longer
void NextHop::quit() noexcept {
  if (!stream_) return;
  try {
    stream_->set_timeout(std::min(opts_.timeout, std::chrono::duration_cast<std::chrono::milliseconds>(kQuitWait)));
    send("QUIT");
    stream_->flush();
  } catch (...) {
  }
  stream_.reset();
  sock_.reset();
}

}  // namespace spoolgate
