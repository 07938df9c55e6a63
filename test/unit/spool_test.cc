// spool_test.cc - unit tests of spool.h: memory first, then a nameless file; nothing left behind
#include "spoolgate/spool.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>
#include <system_error>

#include "spoolgate/bounds.h"

using namespace spoolgate;

namespace {

// TempDir - a fresh directory from mkdtemp, removed (when empty) afterwards
class TempDir {
 public:
  TempDir() {
    char dir[] = "/tmp/spoolgate-spool-XXXXXX";
    REQUIRE(::mkdtemp(dir) != nullptr);
    path_ = dir;
  }
  ~TempDir() {
    ::chmod(path_.c_str(), 0700);
    ::rmdir(path_.c_str());
  }
  const std::string& path() const { return path_; }
  /// Entries other than "." and "..".
  int entries() const {
    DIR* d = ::opendir(path_.c_str());
    REQUIRE(d != nullptr);
    int n = 0;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") ++n;
    }
    ::closedir(d);
    return n;
  }

 private:
  std::string path_;
};

// read_all - the whole file behind `fd` with pread, whatever its offset
std::string read_all(int fd) {
  std::string out;
  char buf[65536];
  off_t off = 0;
  for (;;) {
    ssize_t n = ::pread(fd, buf, sizeof buf, off);
    REQUIRE(n >= 0);
    if (n == 0) return out;
    out.append(buf, static_cast<std::size_t>(n));
    off += n;
  }
}

// pattern - `n` octets that differ from one position to the next, with 8-bit and NUL
std::string pattern(std::size_t n, unsigned seed = 0) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 131 + seed) % 256);
  return s;
}

}  // namespace

TEST_CASE("Spool: a small message stays in memory", "[spool]") {
  TempDir dir;
  Spool s(dir.path(), 1024);
  s.append("Subject: x\r\n");
  s.append("\r\nbody\r\n");
  CHECK(s.size() == 20);
  s.finish();
  CHECK_FALSE(s.on_disk());
  CHECK(s.size() == 20);
  CHECK(read_all(s.fd()) == "Subject: x\r\n\r\nbody\r\n");
  CHECK(dir.entries() == 0);
}

TEST_CASE("Spool: an empty message", "[spool]") {
  TempDir dir;
  Spool s(dir.path(), 1024);
  s.finish();
  CHECK(s.size() == 0);
  CHECK(s.fd() >= 0);
  CHECK(read_all(s.fd()).empty());
}

TEST_CASE("Spool: past the memory limit it moves to disk, content intact", "[spool]") {
  TempDir dir;
  SECTION("small appends, limit below the write buffer") {
    const std::string data = pattern(5000);
    Spool s(dir.path(), 1000);
    for (std::size_t i = 0; i < data.size(); i += 7) s.append(std::string_view(data).substr(i, 7));
    s.finish();
    CHECK(s.on_disk());
    CHECK(s.size() == data.size());
    CHECK(read_all(s.fd()) == data);
  }
  SECTION("moved after memory already held part of it") {
    // 100 KiB of memory: the first flushes go to the memfd, a later one
    // passes the limit and the spool moves, with what it held, to disk.
    const std::string data = pattern(400 * 1024, 7);
    Spool s(dir.path(), 100 * 1024);
    bool was_in_memory = false;
    for (std::size_t i = 0; i < data.size(); i += 50 * 1024) {
      s.append(std::string_view(data).substr(i, 50 * 1024));
      if (s.fd() >= 0 && !s.on_disk()) was_in_memory = true;
      CHECK(dir.entries() == 0);
    }
    CHECK(was_in_memory);
    s.finish();
    CHECK(s.on_disk());
    CHECK(s.size() == data.size());
    CHECK(read_all(s.fd()) == data);
  }
  SECTION("one large append") {
    const std::string data = pattern(3 * kSpoolWriteBuffer + 5, 3);
    Spool s(dir.path(), 1024);
    s.append(data);
    s.finish();
    CHECK(s.on_disk());
    CHECK(read_all(s.fd()) == data);
  }
  SECTION("exactly the limit stays in memory") {
    const std::string data = pattern(4096, 1);
    Spool s(dir.path(), 4096);
    s.append(data);
    s.finish();
    CHECK_FALSE(s.on_disk());
    CHECK(read_all(s.fd()) == data);
  }
  SECTION("a memory limit of 0 goes to disk at once") {
    Spool s(dir.path(), 0);
    s.append("x\r\n");
    s.finish();
    CHECK(s.on_disk());
    CHECK(read_all(s.fd()) == "x\r\n");
  }
  CHECK(dir.entries() == 0);
}

TEST_CASE("Spool: no file is left in the spool directory", "[spool]") {
  TempDir dir;
  REQUIRE(dir.entries() == 0);
  {
    Spool s(dir.path(), 10);
    s.append(pattern(200 * 1024));
    s.finish();
    REQUIRE(s.on_disk());
    CHECK(dir.entries() == 0);  // nameless while it lives
    Fd reader = s.open_reader();
    CHECK(dir.entries() == 0);
  }
  CHECK(dir.entries() == 0);  // and after
}

TEST_CASE("Spool: the file on disk is private", "[spool]") {
  TempDir dir;
  Spool s(dir.path(), 0);
  s.append("secret\r\n");
  s.finish();
  struct stat st {};
  REQUIRE(::fstat(s.fd(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);
  CHECK(st.st_nlink == 0);
}

TEST_CASE("Spool: a spool directory that cannot be written gives std::system_error", "[spool]") {
  SECTION("nonexistent") {
    Spool s("/nonexistent/spoolgate-spool-dir", 10);
    s.append(pattern(100));  // buffered: the error comes when it spills
    CHECK_THROWS_AS(s.finish(), std::system_error);
  }
  SECTION("nonexistent, spilling inside append") {
    Spool s("/nonexistent/spoolgate-spool-dir", 10);
    CHECK_THROWS_AS(s.append(pattern(2 * kSpoolWriteBuffer)), std::system_error);
  }
  SECTION("not a directory") {
    Spool s("/dev/null", 0);
    s.append("x");
    CHECK_THROWS_AS(s.finish(), std::system_error);
  }
  SECTION("no write permission") {
    if (::geteuid() == 0) {
      WARN("running as root: permissions are not enforced, skipped");
      return;
    }
    TempDir dir;
    REQUIRE(::chmod(dir.path().c_str(), 0500) == 0);
    Spool s(dir.path(), 10);
    s.append(pattern(100));
    CHECK_THROWS_AS(s.finish(), std::system_error);
  }
  SECTION("in memory, the directory does not matter") {
    Spool s("/nonexistent/spoolgate-spool-dir", 1024);
    s.append("small");
    CHECK_NOTHROW(s.finish());
    CHECK_FALSE(s.on_disk());
  }
}

TEST_CASE("Spool::open_reader: an independent read-only descriptor at offset 0", "[spool]") {
  TempDir dir;
  for (std::uint64_t limit : {std::uint64_t{1024 * 1024}, std::uint64_t{0}}) {
    INFO("memory limit " << limit);
    Spool s(dir.path(), limit);
    const std::string data = "From: a@example.com\r\n\r\nhello\r\n";
    s.append(data);
    s.finish();
    CHECK(s.on_disk() == (limit == 0));
    const off_t spool_offset = ::lseek(s.fd(), 0, SEEK_CUR);

    Fd r = s.open_reader();
    REQUIRE(r.valid());
    CHECK(r.get() != s.fd());
    CHECK(::lseek(r.get(), 0, SEEK_CUR) == 0);
    CHECK((::fcntl(r.get(), F_GETFL) & O_ACCMODE) == O_RDONLY);
    CHECK((::fcntl(r.get(), F_GETFD) & FD_CLOEXEC) != 0);

    // reading all of it with read(2), as a hook does
    std::string got(data.size() + 10, '\0');
    ssize_t n = ::read(r.get(), got.data(), got.size());
    REQUIRE(n == static_cast<ssize_t>(data.size()));
    got.resize(static_cast<std::size_t>(n));
    CHECK(got == data);

    // its reads and seeks do not move the spool's own offset
    CHECK(::lseek(s.fd(), 0, SEEK_CUR) == spool_offset);
    // nor another reader's
    Fd r2 = s.open_reader();
    CHECK(::lseek(r2.get(), 0, SEEK_CUR) == 0);
    char c = 0;
    CHECK(::read(r2.get(), &c, 1) == 1);
    CHECK(c == 'F');

    // it cannot write
    CHECK(::write(r.get(), "x", 1) == -1);
    CHECK(read_all(s.fd()) == data);
  }
  CHECK(dir.entries() == 0);
}

TEST_CASE("Spool can be moved", "[spool]") {
  TempDir dir;
  Spool a(dir.path(), 1024);
  a.append("moved\r\n");
  Spool b(std::move(a));
  b.finish();
  CHECK(read_all(b.fd()) == "moved\r\n");
}

TEST_CASE("Spool::finish_in_memory: a small message stays in the buffer, no file at all", "[spool]") {
  TempDir dir;
  Spool s(dir.path(), 1024 * 1024);
  s.append("Subject: small\r\n\r\nbody\r\n");
  s.finish_in_memory();
  REQUIRE(s.in_memory().has_value());
  CHECK(*s.in_memory() == "Subject: small\r\n\r\nbody\r\n");
  CHECK(s.fd() == -1);
  SECTION("--spool-memory 0 means nothing stays in memory") {
    Spool d(dir.path(), 0);
    d.append("x\r\n");
    d.finish_in_memory();
    CHECK_FALSE(d.in_memory().has_value());
    CHECK(read_all(d.fd()) == "x\r\n");
  }
  SECTION("past the write buffer it is a file") {
    Spool b(dir.path(), 1024 * 1024);
    std::string big = pattern(200 * 1024);
    b.append(big);
    b.finish_in_memory();
    CHECK_FALSE(b.in_memory().has_value());
    CHECK(read_all(b.fd()) == big);
  }
}
