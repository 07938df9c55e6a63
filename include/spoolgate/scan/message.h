// scan/message.h - the message a hook judges: its standard input, read by offset
//
// DESCRIPTION
//   spoolgate gives a hook the message on stdin as a seekable, read-only
//   descriptor of a regular file or memfd (SPEC "The hook"). Message uses
//   that descriptor as it is, and reads it only with pread(2), so its file
//   offset never matters and the same descriptor can be passed on (clamd's
//   FILDES). Run by hand with a pipe or a terminal on stdin, the hook
//   copies it to a memfd first, so that every input is a file of known size.
//
//   header_block() is the message's header, up to the empty line, for
//   hooks that look at fields before they send; find_fields() gives the
//   values of the fields of one name in such a block.
//
// DIAGNOSTICS
//   Everything throws std::system_error with errno.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/fd.h"

namespace spoolgate::scan {

class Message {
 public:
  /// `fd` (not owned), or a memfd copy when it is not a regular file.
  static Message from_fd(int fd);
  /// from_fd(0).
  static Message from_stdin() { return from_fd(0); }
  /// A message in `fd`, owned (tests).
  explicit Message(Fd fd);

  int fd() const { return fd_; }
  std::uint64_t size() const { return size_; }

  /// Calls `sink` with the message from its first octet, in pieces of at
  /// most kSendChunk octets.
  void for_each_chunk(const std::function<void(std::string_view)>& sink) const;
  /// The header up to (not including) the empty line, at most `max` octets.
  std::string header_block(std::size_t max) const;

 private:
  explicit Message(int borrowed);
  Fd owned_;
  int fd_ = -1;
  std::uint64_t size_ = 0;
};

/// The values of every field named `name` (any letter case) in a header
/// block, continuation lines joined.
std::vector<std::string> find_fields(std::string_view header_block, std::string_view name);

}  // namespace spoolgate::scan
