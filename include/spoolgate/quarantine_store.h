// quarantine_store.h - the quarantine directory as a store: list, open, remove, expire
//
// DESCRIPTION
//   The quarantine files that quarantine.h writes are the single source of
//   truth: one file per message, its envelope block first. This module reads
//   the directory for spoolgate-quarantine(8): list() gives every entry
//   (newest first) with its block read back, open() one entry by its ID
//   (the file's name), remove() and expire() delete files, and
//   load_message() puts an entry's message into spools in the form the next
//   hop takes, for a release.
//
// DIAGNOSTICS
//   QuarantineError (what() names the file and the problem): an ID that is
//   no file of the directory, a file without an envelope block, I/O errors.
//   list() skips files it cannot read and counts them in `unreadable`.
//
// SECURITY
//   An ID is a plain name in the directory (no '/', no leading '.'); files
//   are opened O_NOFOLLOW and must be regular files, so a link planted in
//   the directory reaches nothing else.
#pragma once

#include <ctime>
#include <stdexcept>
#include <string>
#include <vector>

#include "spoolgate/fd.h"
#include "spoolgate/message_spools.h"
#include "spoolgate/quarantine.h"

namespace spoolgate {

struct QuarantineError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// One quarantined message.
struct QuarantineEntry {
  std::string id;    ///< the file's name
  std::string path;  ///< DIR/ID
  std::time_t when = 0;
  std::uint64_t message_size = 0;  ///< octets of the message (LF form), the block excluded
  QuarantineBlock block;
};

class QuarantineStore {
 public:
  explicit QuarantineStore(std::string dir) : dir_(std::move(dir)) {}

  /// Every entry, newest first.
  std::vector<QuarantineEntry> list(std::size_t* unreadable = nullptr) const;
  /// One entry; `file` gets an open descriptor on it. Throws QuarantineError.
  QuarantineEntry open(const std::string& id, Fd* file) const;
  /// The entry's message, as the next hop takes it (wire form), into
  /// `spools`; returns its size as RFC 1870 counts it.
  std::uint64_t load_message(const QuarantineEntry& e, int file, MessageSpools& spools) const;
  /// Delete one entry. Throws QuarantineError.
  void remove(const std::string& id) const;
  /// Delete the entries older than `days` days (0: all); how many.
  std::size_t expire(unsigned days, std::time_t now = std::time(nullptr)) const;

 private:
  std::string dir_;
};

}  // namespace spoolgate
