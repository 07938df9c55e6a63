// spool.cc - one message, in memory up to a limit, then in a nameless file
#include "spoolgate/spool.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>

#include "spoolgate/bounds.h"
#include "spoolgate/text.h"

namespace spoolgate {

Spool::Spool(std::string dir, std::uint64_t memory_limit)
    : dir_(std::move(dir)), memory_limit_(memory_limit) {
  buf_.reserve(kSpoolWriteBuffer);
}

// append - buffer small pieces; large ones go straight through
void Spool::append(std::string_view bytes) {
  if (buf_.size() + bytes.size() <= kSpoolWriteBuffer) {
    buf_.append(bytes);
    return;
  }
  flush_buffer();
  if (bytes.size() < kSpoolWriteBuffer) {
    buf_.append(bytes);
    return;
  }
  ensure_file(bytes.size());
  write_all(fd_.get(), bytes.data(), bytes.size(), "write spool");
  written_ += bytes.size();
}

// append_from - memory from memory; a file with sendfile(2)
void Spool::append_from(const Spool& source, std::uint64_t offset) {
  if (offset >= source.size()) return;
  if (std::optional<std::string_view> m = source.in_memory()) return append(m->substr(offset));
  flush_buffer();
  std::uint64_t n = source.size() - offset;
  ensure_file(n);
  copy_fd(fd_.get(), source.fd(), static_cast<off_t>(offset), n, "copy spool");
  written_ += n;
}

void Spool::finish() {
  flush_buffer();
  ensure_file(0);
}

// finish_in_memory - keep a small message in the buffer, within the limit
// the administrator set (--spool-memory 0: everything goes to disk)
void Spool::finish_in_memory() {
  if (fd_ || buf_.size() > memory_limit_) finish();
}

void Spool::flush_buffer() {
  if (buf_.empty()) return;
  ensure_file(buf_.size());
  write_all(fd_.get(), buf_.data(), buf_.size(), "write spool");
  written_ += buf_.size();
  buf_.clear();
}

// create_on_disk - O_TMPFILE, else O_EXCL 0600 and unlink at once
Fd Spool::create_on_disk() const {
  int fd = ::open(dir_.c_str(), O_TMPFILE | O_RDWR | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) return Fd(fd);
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
    throw errno_error("create spool file in " + dir_);
  std::string path = dir_ + "/spoolgate.XXXXXX";
  fd = ::mkostemp(path.data(), O_CLOEXEC);  // O_CREAT|O_EXCL, mode 0600
  if (fd < 0) throw errno_error("create spool file in " + dir_);
  ::unlink(path.c_str());
  return Fd(fd);
}

// ensure_file - a memfd first; past the memory limit, move to disk
void Spool::ensure_file(std::uint64_t incoming) {
  if (!fd_) {
    if (memory_limit_ > 0 && incoming <= memory_limit_) {
      int fd = ::memfd_create("spoolgate", MFD_CLOEXEC);
      if (fd >= 0) {
        fd_.reset(fd);
        ::fchmod(fd, 0600);  // a memfd starts 0777; only /proc could reach it, but still
        return;
      }
    }
    fd_ = create_on_disk();
    on_disk_ = true;
    return;
  }
  if (on_disk_ || written_ + incoming <= memory_limit_) return;
  Fd disk = create_on_disk();
  copy_fd(disk.get(), fd_.get(), 0, written_, "move spool to disk");
  if (::lseek(disk.get(), 0, SEEK_END) < 0) throw errno_error("seek spool");
  fd_ = std::move(disk);
  on_disk_ = true;
}

// read_at - the buffer, or pread(2) on the file
std::size_t Spool::read_at(std::uint64_t offset, char* buf, std::size_t n) const {
  if (std::optional<std::string_view> m = in_memory()) {
    if (offset >= m->size()) return 0;
    std::string_view part = m->substr(offset, n);
    std::copy(part.begin(), part.end(), buf);
    return part.size();
  }
  ssize_t got = retry_eintr([&] { return ::pread(fd_.get(), buf, n, static_cast<off_t>(offset)); });
  if (got < 0) throw errno_error("read spool");
  return static_cast<std::size_t>(got);
}

// copy_to - the buffer with write(2), the file with sendfile(2)
void Spool::copy_to(int fd) const {
  if (std::optional<std::string_view> m = in_memory()) return write_all(fd, m->data(), m->size(), "copy spool");
  copy_fd(fd, fd_.get(), 0, size(), "copy spool");
}

// has_8bit - in chunks
bool Spool::has_8bit() const {
  if (std::optional<std::string_view> m = in_memory()) return !is_ascii(*m);
  std::string buf(kIoChunk, '\0');
  for (std::uint64_t off = 0;;) {
    std::size_t n = read_at(off, buf.data(), buf.size());
    if (n == 0) return false;
    if (!is_ascii(std::string_view(buf.data(), n))) return true;
    off += n;
  }
}

// open_reader - its own open file description, so the hook's reads and
// seeks never move anything of ours
Fd Spool::open_reader() const {
  std::string path = "/proc/self/fd/" + std::to_string(fd_.get());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw errno_error("open spool for reading (is /proc mounted?)");
  return Fd(fd);
}

}  // namespace spoolgate
