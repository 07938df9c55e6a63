// quarantine_store.cc - the quarantine directory as a store: list, open, remove, expire
#include "spoolgate/quarantine_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include <fmt/core.h>

#include "spoolgate/bounds.h"

namespace spoolgate {
namespace {

// valid_id - a plain name in the directory, nothing that leads out of it
bool valid_id(const std::string& id) {
  return !id.empty() && id[0] != '.' && id.find('/') == std::string::npos && id.size() < 256;
}

// read_head - the file's first octets: enough for any envelope block
std::string read_head(int fd, const std::string& path) {
  std::string head(kMaxQuarantineBlock, '\0');
  std::size_t got = 0;
  while (got < head.size()) {
    ssize_t n = retry_eintr([&] { return ::pread(fd, head.data() + got, head.size() - got, static_cast<off_t>(got)); });
    if (n < 0) throw QuarantineError(fmt::format("{}: {}", path, std::strerror(errno)));
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  head.resize(got);
  return head;
}

// names - the directory's plain names
std::vector<std::string> names(const std::string& dir) {
  std::unique_ptr<DIR, decltype(&::closedir)> d(::opendir(dir.c_str()), &::closedir);
  if (!d) throw QuarantineError(fmt::format("{}: {}", dir, std::strerror(errno)));
  std::vector<std::string> out;
  while (const dirent* de = ::readdir(d.get()))
    if (valid_id(de->d_name)) out.emplace_back(de->d_name);
  return out;
}

}  // namespace

// open - O_NOFOLLOW, a regular file, its block read back
QuarantineEntry QuarantineStore::open(const std::string& id, Fd* file) const {
  QuarantineEntry e;
  e.id = id;
  e.path = dir_ + "/" + id;
  if (!valid_id(id)) throw QuarantineError(fmt::format("{}: not a quarantine ID", id));
  Fd fd(::open(e.path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK));
  if (!fd) throw QuarantineError(fmt::format("{}: {}", e.path, std::strerror(errno)));
  struct stat st;
  if (::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) throw QuarantineError(fmt::format("{}: not a regular file", e.path));
  std::string error;
  std::optional<QuarantineBlock> block = read_quarantine_block(read_head(fd.get(), e.path), &error);
  if (!block) throw QuarantineError(fmt::format("{}: {}", e.path, error));
  e.block = std::move(*block);
  e.when = st.st_mtime;
  e.message_size = static_cast<std::uint64_t>(st.st_size) - e.block.message_offset;
  if (file) *file = std::move(fd);
  return e;
}

// list - every readable entry, newest first (then by name)
std::vector<QuarantineEntry> QuarantineStore::list(std::size_t* unreadable) const {
  std::vector<QuarantineEntry> entries;
  std::size_t bad = 0;
  for (const std::string& id : names(dir_)) {
    try {
      entries.push_back(open(id, nullptr));
    } catch (const QuarantineError&) {
      ++bad;
    }
  }
  std::sort(entries.begin(), entries.end(), [](const QuarantineEntry& a, const QuarantineEntry& b) {
    return a.when != b.when ? a.when > b.when : a.id > b.id;
  });
  if (unreadable) *unreadable = bad;
  return entries;
}

// load_message - the message after the block, LF form, read as --pipe reads stdin
std::uint64_t QuarantineStore::load_message(const QuarantineEntry& e, int file, MessageSpools& spools) const {
  if (::lseek(file, static_cast<off_t>(e.block.message_offset), SEEK_SET) < 0)
    throw QuarantineError(fmt::format("{}: {}", e.path, std::strerror(errno)));
  try {
    return receive_plain(file, {}, spools, Deadline::after(std::chrono::minutes(10)));
  } catch (const std::exception& ex) {
    throw QuarantineError(fmt::format("{}: {}", e.path, ex.what()));
  }
}

void QuarantineStore::remove(const std::string& id) const {
  if (!valid_id(id)) throw QuarantineError(fmt::format("{}: not a quarantine ID", id));
  std::string path = dir_ + "/" + id;
  if (::unlink(path.c_str()) != 0) throw QuarantineError(fmt::format("{}: {}", path, std::strerror(errno)));
}

// expire - by the file's time (when spoolgate wrote it); every regular
// file counts, one without a readable block too
std::size_t QuarantineStore::expire(unsigned days, std::time_t now) const {
  std::size_t n = 0;
  for (const std::string& id : names(dir_)) {
    struct stat st;
    std::string path = dir_ + "/" + id;
    if (::lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    if (days > 0 && now - st.st_mtime < static_cast<std::time_t>(days) * 86400) continue;
    remove(id);
    ++n;
  }
  return n;
}

}  // namespace spoolgate
