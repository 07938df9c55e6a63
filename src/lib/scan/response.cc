// response.cc - a daemon's reply in the HTTP shape: status line, fields, body
#include "spoolgate/scan/response.h"

#include <charconv>
#include <optional>

#include <fmt/core.h>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/scan/daemon_conn.h"
#include "spoolgate/smtp_command.h"

namespace spoolgate::scan {
namespace {

// head_end - where the body starts (after CRLF CRLF or LF LF), npos if not yet
std::size_t head_end(std::string_view r, std::size_t* head_len) {
  std::size_t crlf = r.find("\r\n\r\n");
  std::size_t lf = r.find("\n\n");
  if (crlf != std::string_view::npos && (lf == std::string_view::npos || crlf < lf)) {
    *head_len = crlf;
    return crlf + 4;
  }
  if (lf == std::string_view::npos) return std::string_view::npos;
  *head_len = lf;
  return lf + 2;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
  return s;
}

// content_length - nullopt when the head has none; throws when it is not a number
std::optional<std::size_t> content_length(const Response& r) {
  const std::string* v = r.field("Content-length");
  if (!v) return std::nullopt;
  std::size_t n = 0;
  auto [p, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
  if (v->empty() || ec != std::errc() || p != v->data() + v->size())
    throw DaemonError(fmt::format("garbage reply: Content-length \"{}\"", *v));
  return n;
}

// parse_head - the status line, then "Name: value" lines
void parse_head(std::string_view head, Response* r) {
  bool first = true;
  while (!head.empty() || first) {
    std::size_t nl = head.find('\n');
    std::string_view line = trim(head.substr(0, nl));
    head = nl == std::string_view::npos ? std::string_view() : head.substr(nl + 1);
    if (line.size() > kMaxReplyHeadLine) throw DaemonError("garbage reply: a line of its head is too long");
    if (first) {
      r->status_line = std::string(line);
      first = false;
      continue;
    }
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) throw DaemonError("garbage reply: a head line without a colon");
    if (r->fields.size() >= kMaxReplyHeadFields) throw DaemonError("garbage reply: too many head fields");
    r->fields.emplace_back(std::string(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))));
  }
}

}  // namespace

const std::string* Response::field(std::string_view name) const {
  for (const auto& [n, v] : fields) {
    if (iequals(n, name)) return &v;
  }
  return nullptr;
}

Response parse_response(std::string_view reply) {
  if (reply.empty()) throw DaemonError("closed the connection without a reply");
  std::size_t head_len = 0;
  std::size_t body = head_end(reply, &head_len);
  if (body == std::string_view::npos) throw DaemonError("truncated reply: no end of head");
  Response r;
  parse_head(reply.substr(0, head_len), &r);
  r.body = std::string(reply.substr(body));
  if (std::optional<std::size_t> n = content_length(r)) {
    if (r.body.size() < *n) throw DaemonError(fmt::format("truncated reply: {} of {} octets of body", r.body.size(), *n));
    r.body.resize(*n);
  }
  return r;
}

bool response_complete(std::string_view received) {
  std::size_t head_len = 0;
  std::size_t body = head_end(received, &head_len);
  if (body == std::string_view::npos) return false;
  Response r;
  try {
    parse_head(received.substr(0, head_len), &r);
    std::optional<std::size_t> n = content_length(r);
    return n && received.size() - body >= *n;
  } catch (const DaemonError&) {
    return true;  // garbage: stop reading, parse_response() will say what is wrong
  }
}

}  // namespace spoolgate::scan
