// spool.h - one message, in memory up to a limit, then in a nameless file
//
// DESCRIPTION
//   A Spool starts as an anonymous in-memory file (memfd_create) and moves
//   to a file in the spool directory once it grows past the memory limit:
//   O_TMPFILE where the file system has it, else a 0600 O_EXCL file that is
//   unlinked at once. Either way the file never has a name that could
//   outlive the process, on any exit path, SIGKILL included (SPEC).
//
//   Writes are buffered (kSpoolWriteBuffer). A message that never outgrew
//   that buffer may stay there: finish_in_memory() keeps it, and the next
//   hop gets it in the same write as DATA's end (most mail is small, and
//   this saves creating, writing and reading a file per message). Whoever
//   needs a descriptor calls finish(). The spool is read with offsets only
//   (sendfile, pread), so its file offset never matters; open_reader()
//   gives the hook its own read-only, seekable descriptor.
//
// DIAGNOSTICS
//   append() and finish() throw std::system_error: ENOSPC, EFBIG (past
//   RLIMIT_FSIZE; SIGXFSZ is ignored), EACCES on an unwritable directory.
//   The caller turns any of them into a 4xx.
//
// SECURITY
//   The file is created mode 0600, with O_EXCL, so it never follows a link.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spoolgate/data_codec.h"
#include "spoolgate/fd.h"

namespace spoolgate {

/// Where messages are spooled (--spool-dir, --spool-memory).
struct SpoolConfig {
  std::string dir = "/tmp";
  std::uint64_t memory = 1024 * 1024;  ///< a spool up to this size stays in memory
};

class Spool : public ByteSink {
 public:
  /// `dir`: where a spool past `memory_limit` octets goes.
  Spool(std::string dir, std::uint64_t memory_limit);
  explicit Spool(const SpoolConfig& c) : Spool(c.dir, c.memory) {}
  Spool(Spool&&) = default;
  Spool& operator=(Spool&&) = default;

  void append(std::string_view bytes) override;
  /// Append what `source` holds from `offset` on (without passing it
  /// through user space when both are files).
  void append_from(const Spool& source, std::uint64_t offset);
  /// Write what is buffered: afterwards fd() holds the whole message.
  void finish();
  /// The end of the message: like finish(), but a message still small
  /// enough to be all in the buffer stays there (see in_memory()).
  void finish_in_memory();
  /// The whole message when it is held in memory (no file); else nullopt.
  std::optional<std::string_view> in_memory() const {
    if (fd_) return std::nullopt;
    return std::string_view(buf_);
  }
  /// Octets appended so far.
  std::uint64_t size() const { return written_ + buf_.size(); }
  /// The descriptor (after finish()).
  int fd() const { return fd_.get(); }
  bool on_disk() const { return on_disk_; }
  /// A new read-only descriptor on the same file, offset 0.
  Fd open_reader() const;
  /// Up to `n` octets from `offset` into `buf` (after finish() or
  /// finish_in_memory()); 0 at the end. Throws std::system_error.
  std::size_t read_at(std::uint64_t offset, char* buf, std::size_t n) const;
  /// Write all of it to `fd` (a quarantine file). Throws std::system_error.
  void copy_to(int fd) const;
  /// Whether any octet is 8-bit (BODY=8BITMIME). Reads the file, if any.
  bool has_8bit() const;

 private:
  void flush_buffer();
  void ensure_file(std::uint64_t incoming);
  Fd create_on_disk() const;

  std::string dir_;
  std::uint64_t memory_limit_;
  Fd fd_;
  bool on_disk_ = false;
  std::uint64_t written_ = 0;
  std::string buf_;
};

}  // namespace spoolgate
