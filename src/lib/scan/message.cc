// message.cc - the message a hook judges: its standard input, read by offset
#include "spoolgate/scan/message.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdexcept>
#include <vector>

#include "spoolgate/scan/bounds.h"
#include "spoolgate/smtp_command.h"

namespace spoolgate::scan {
namespace {

std::uint64_t file_size(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw errno_error("fstat of the message");
  return static_cast<std::uint64_t>(st.st_size);
}

// copy_to_memfd - stdin that is not a file (a pipe, a terminal): read it all
// into an anonymous in-memory file, which is a file of known size
Fd copy_to_memfd(int in) {
  Fd mem(::memfd_create("spoolgate-hook-message", MFD_CLOEXEC));
  if (!mem) throw errno_error("memfd_create");
  std::vector<char> buf(kSendChunk);
  for (;;) {
    ssize_t n = retry_eintr([&] { return ::read(in, buf.data(), buf.size()); });
    if (n < 0) throw errno_error("read of the message");
    if (n == 0) return mem;
    write_all(mem.get(), buf.data(), static_cast<std::size_t>(n), "write of the message copy");
  }
}

}  // namespace

Message::Message(int borrowed) : fd_(borrowed), size_(file_size(borrowed)) {}

Message::Message(Fd fd) : owned_(std::move(fd)), fd_(owned_.get()), size_(file_size(fd_)) {}

// Message::from_fd - spoolgate's descriptor as it is (SPEC: a regular file or a memfd)
Message Message::from_fd(int fd) {
  struct stat st {};
  if (::fstat(fd, &st) != 0) throw errno_error("fstat of the message's descriptor");
  if (S_ISREG(st.st_mode)) return Message(fd);
  return Message(copy_to_memfd(fd));
}

// Message::for_each_chunk - pread from 0 to size(): the descriptor's offset is never used
void Message::for_each_chunk(const std::function<void(std::string_view)>& sink) const {
  std::vector<char> buf(kSendChunk);
  std::uint64_t offset = 0;
  while (offset < size_) {
    std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buf.size(), size_ - offset));
    ssize_t n = retry_eintr([&] { return ::pread(fd_, buf.data(), want, static_cast<off_t>(offset)); });
    if (n < 0) throw errno_error("read of the message");
    if (n == 0) throw std::runtime_error("the message is shorter than its size");
    sink(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    offset += static_cast<std::uint64_t>(n);
  }
}

// Message::header_block - read until the empty line (LF or CRLF) or `max`
std::string Message::header_block(std::size_t max) const {
  std::string head;
  std::vector<char> buf(4096);
  while (head.size() < max && head.size() < size_) {
    std::size_t want = std::min(buf.size(), max - head.size());
    ssize_t n = retry_eintr([&] { return ::pread(fd_, buf.data(), want, static_cast<off_t>(head.size())); });
    if (n < 0) throw errno_error("read of the message");
    if (n == 0) break;
    std::size_t from = head.size() < 3 ? 0 : head.size() - 3;
    head.append(buf.data(), static_cast<std::size_t>(n));
    if (!head.empty() && head[0] == '\n') return {};
    if (head.compare(0, 2, "\r\n") == 0) return {};
    std::size_t lf = head.find("\n\n", from);
    std::size_t crlf = head.find("\n\r\n", from);
    std::size_t end = std::min(lf, crlf);
    if (end != std::string::npos) return head.substr(0, end + 1);
  }
  return head;
}

// find_fields - header fields by name; a continuation line belongs to the field above
std::vector<std::string> find_fields(std::string_view block, std::string_view name) {
  std::vector<std::string> values;
  bool in_match = false;
  while (!block.empty()) {
    std::size_t nl = block.find('\n');
    std::string_view line = block.substr(0, nl);
    block = nl == std::string_view::npos ? std::string_view() : block.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty() && (line[0] == ' ' || line[0] == '\t')) {
      if (in_match) values.back() += line;
      continue;
    }
    std::size_t colon = line.find(':');
    std::string_view field = line.substr(0, colon);
    while (!field.empty() && (field.back() == ' ' || field.back() == '\t')) field.remove_suffix(1);
    in_match = colon != std::string_view::npos && iequals(field, name);
    if (!in_match) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value[0] == ' ' || value[0] == '\t')) value.remove_prefix(1);
    values.emplace_back(value);
  }
  return values;
}

}  // namespace spoolgate::scan
