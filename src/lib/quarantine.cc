// quarantine.cc - keep a copy of a rejected or discarded message, and read it back
#include "spoolgate/quarantine.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstring>
#include <ctime>

#include <fmt/core.h>

#include "spoolgate/bounds.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

// block - the envelope block, values on one line each (8-bit octets of an
// SMTPUTF8 address stay; controls do not)
std::string block(const Envelope& env, const QuarantineNote& note) {
  auto line = [](std::string_view name, std::string_view value) {
    std::string v(value.substr(0, kMaxQuarantineValue));
    replace_controls(v);
    return fmt::format("{}: {}\n", name, v);
  };
  std::string head = line("X-Envelope-From", "<" + env.sender + ">");
  for (const std::string& r : env.recipients) head += line("X-Envelope-To", "<" + r + ">");
  if (!env.client.ident.empty()) head += line("X-Spoolgate-Queue-ID", env.client.ident);
  if (!env.client.addr.empty()) head += line("X-Spoolgate-Client-Address", env.client.addr);
  if (!env.client.name.empty()) head += line("X-Spoolgate-Client-Name", env.client.name);
  if (!env.client.helo.empty()) head += line("X-Spoolgate-Client-Helo", env.client.helo);
  if (!env.client.source.empty()) head += line("X-Spoolgate-Client-Source", env.client.source);
  if (!env.client.proto.empty()) head += line("X-Spoolgate-Client-Proto", env.client.proto);
  head += line("X-Spoolgate-Verdict", to_string(note.verdict));
  head += line("X-Spoolgate-Hook", note.hook);
  head += line("X-Spoolgate-Reason", note.reason);
  return head;
}

// address - "<a@b>" to "a@b"
std::optional<std::string> address(std::string_view v) {
  if (v.size() < 2 || v.front() != '<' || v.back() != '>') return std::nullopt;
  return std::string(v.substr(1, v.size() - 2));
}

// take - one line of the block into `b`; false when it is no line of a block
bool take(std::string_view name, std::string_view value, QuarantineBlock& b, bool* from_seen) {
  if (name == "X-Envelope-From") {
    std::optional<std::string> a = address(value);
    if (!a || *from_seen) return false;
    b.env.sender = *a;
    *from_seen = true;
  } else if (name == "X-Envelope-To") {
    std::optional<std::string> a = address(value);
    if (!a || a->empty()) return false;
    b.env.add_recipient(*a);
  } else if (name == "X-Spoolgate-Queue-ID") b.env.client.ident = value;
  else if (name == "X-Spoolgate-Client-Address") b.env.client.addr = value;
  else if (name == "X-Spoolgate-Client-Name") b.env.client.name = value;
  else if (name == "X-Spoolgate-Client-Helo") b.env.client.helo = value;
  else if (name == "X-Spoolgate-Client-Source") b.env.client.source = value;
  else if (name == "X-Spoolgate-Client-Proto") b.env.client.proto = value;
  else if (name == "X-Spoolgate-Verdict") b.note.verdict = value == "discard" ? Verdict::discard : Verdict::reject;
  else if (name == "X-Spoolgate-Hook") b.note.hook = value;
  else if (name == "X-Spoolgate-Reason") b.note.reason = value;
  else return false;
  return true;
}

}  // namespace

bool quarantine_keep(const std::string& dir, const Envelope& env, const QuarantineNote& note, const Spool& message,
                     std::string* result) {
  static unsigned counter = 0;
  std::string id;
  for (char c : env.log_queue_id())
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z')) id += c;
  std::string path = fmt::format("{}/{}-{}-{}-{}-{}", dir, id, to_string(note.verdict),
                                 static_cast<long long>(std::time(nullptr)), ::getpid(), ++counter);
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
  if (fd < 0) {
    *result = fmt::format("cannot create {}: {}", path, std::strerror(errno));
    return false;
  }
  Fd file(fd);
  try {
    std::string head = block(env, note);
    write_all(fd, head.data(), head.size(), "write quarantine file");
    message.copy_to(fd);
    if (::fsync(fd) != 0) throw errno_error("sync quarantine file");
  } catch (const std::system_error& e) {
    ::unlink(path.c_str());
    *result = fmt::format("{}: {}", path, e.what());
    return false;
  }
  *result = path;
  return true;
}

// read_quarantine_block - line by line, up to X-Spoolgate-Reason (or, in an
// older file, up to the first line that is no envelope line)
std::optional<QuarantineBlock> read_quarantine_block(std::string_view head, std::string* error) {
  QuarantineBlock b;
  bool from_seen = false;
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = head.find('\n', pos);
    if (nl == std::string_view::npos) break;
    std::string_view line = head.substr(pos, nl - pos);
    std::size_t colon = line.find(": ");
    if (colon == std::string_view::npos || !take(line.substr(0, colon), line.substr(colon + 2), b, &from_seen)) break;
    pos = nl + 1;
    if (line.substr(0, colon) == "X-Spoolgate-Reason") break;
  }
  if (!from_seen || b.env.recipients.empty()) {
    *error = "no envelope (X-Envelope-From and X-Envelope-To lines) at the start";
    return std::nullopt;
  }
  b.message_offset = pos;
  return b;
}

}  // namespace spoolgate
