// harness.cc - run the built spoolgate the way spawn(8) does, and look at what it did
#include "harness.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace spoolgate::test {
namespace {

struct FilterUser {
  uid_t uid = 0;
  gid_t gid = 0;
  bool needed = false;
};

FilterUser filter_user() {
  FilterUser u;
  if (::geteuid() != 0) return u;
  struct passwd* pw = ::getpwnam("nobody");
  if (!pw) throw std::runtime_error("tests run as root but there is no user nobody");
  u.uid = pw->pw_uid;
  u.gid = pw->pw_gid;
  u.needed = true;
  return u;
}

void remove_tree(const std::string& path) {
  DIR* d = ::opendir(path.c_str());
  if (d) {
    while (dirent* e = ::readdir(d)) {
      std::string n = e->d_name;
      if (n == "." || n == "..") continue;
      std::string p = path + "/" + n;
      struct stat st;
      if (::lstat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) remove_tree(p);
      else ::unlink(p.c_str());
    }
    ::closedir(d);
  }
  ::rmdir(path.c_str());
}

}  // namespace

Sandbox::Sandbox() {
  const char* tmp = std::getenv("TMPDIR");
  std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/spoolgate-test.XXXXXX";
  if (!::mkdtemp(templ.data())) throw std::runtime_error("mkdtemp");
  path_ = templ;
  FilterUser u = filter_user();
  if (u.needed && ::chown(path_.c_str(), u.uid, u.gid) != 0) throw std::runtime_error("chown sandbox");
  ::chmod(path_.c_str(), 0755);
}

Sandbox::~Sandbox() { remove_tree(path_); }

std::string Sandbox::log() const {
  std::ifstream in(file("log"));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string Sandbox::subdir(const std::string& name) const {
  std::string p = file(name);
  ::mkdir(p.c_str(), 0700);
  FilterUser u = filter_user();
  if (u.needed && ::chown(p.c_str(), u.uid, u.gid) != 0) throw std::runtime_error("chown subdir");
  return p;
}

std::vector<std::string> Sandbox::list(const std::string& dir) {
  std::vector<std::string> out;
  DIR* d = ::opendir(dir.c_str());
  if (!d) return out;
  while (dirent* e = ::readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") out.push_back(n);
  }
  ::closedir(d);
  return out;
}

std::string binary() {
  const char* b = std::getenv("SPOOLGATE_BIN");
  if (!b) throw std::runtime_error("SPOOLGATE_BIN is not set");
  return b;
}

std::string hook(const std::string& name) {
  const char* d = std::getenv("SPOOLGATE_TEST_HOOKS");
  if (!d) throw std::runtime_error("SPOOLGATE_TEST_HOOKS is not set");
  return std::string(d) + "/" + name;
}

// run_spoolgate - socketpair on 0, 1, 2; input in, everything out, bounded
Run run_spoolgate(const Sandbox& box, const RunOptions& o) {
  int sv[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) throw std::runtime_error("socketpair");
  std::vector<std::string> args = {binary()};
  bool has_log = false;
  for (const std::string& a : o.args) has_log = has_log || a.rfind("--log", 0) == 0;
  if (!has_log) args.insert(args.end(), {"--log-file", box.file("log")});
  args.insert(args.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  FilterUser u = filter_user();
  auto start = std::chrono::steady_clock::now();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    ::dup2(sv[1], 0);
    ::dup2(sv[1], 1);
    ::dup2(sv[1], 2);
    if (o.close_stderr) ::close(2);
    if (o.file_size_limit) {
      struct rlimit rl = {o.file_size_limit, o.file_size_limit};
      ::setrlimit(RLIMIT_FSIZE, &rl);
    }
    if (u.needed && !o.as_root) {
      // create the log as the filter user would find it, then become that user
      int fd = ::open(box.file("log").c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      if (fd >= 0) {
        (void)!::fchown(fd, u.uid, u.gid);
        ::close(fd);
      }
      if (::setgroups(1, &u.gid) != 0 || ::setgid(u.gid) != 0 || ::setuid(u.uid) != 0) ::_exit(126);
    }
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  ::close(sv[1]);
  int fd = sv[0];
  ::fcntl(fd, F_SETFL, O_NONBLOCK);
  Run r;
  std::size_t written = 0;
  bool input_done = false;
  bool eof = false;
  auto elapsed_ms = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count());
  };
  auto finish_input = [&] {
    input_done = true;
    if (o.half_close) ::shutdown(fd, SHUT_WR);
    if (o.after_input) o.after_input(fd, pid);
  };
  if (o.input.empty()) finish_input();
  // VmHWM, sampled while it runs (the last sample wins: it only grows).
  // getrusage's ru_maxrss would also count the test process that forked it.
  auto sample_hwm = [&] {
    std::ifstream st("/proc/" + std::to_string(pid) + "/status");
    std::string line;
    bool execed = false;
    long hwm = 0;
    while (std::getline(st, line)) {
      if (line.rfind("Name:", 0) == 0) execed = line.find("spoolgate") != std::string::npos;
      if (line.rfind("VmHWM:", 0) == 0) hwm = std::atol(line.c_str() + 6);
    }
    if (execed && hwm > 0) r.max_rss_kb = hwm;
  };
  while (!eof) {
    sample_hwm();
    int left = o.limit_ms - elapsed_ms();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p{fd, static_cast<short>(POLLIN | (input_done ? 0 : POLLOUT)), 0};
    if (::poll(&p, 1, std::min(left, 100)) <= 0) continue;
    if (p.revents & POLLOUT) {
      ssize_t n = ::send(fd, o.input.data() + written, o.input.size() - written, MSG_NOSIGNAL);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN) written = o.input.size();  // the peer is gone
      if (written == o.input.size()) finish_input();
    }
    if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::recv(fd, buf, sizeof buf, 0);
      if (n > 0) r.output.append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EAGAIN) eof = true;
    }
  }
  ::close(fd);
  int st = 0;
  // after EOF the process exits at once; bounded anyway
  for (int i = 0; i < 2000; ++i) {
    sample_hwm();
    if (::waitpid(pid, &st, WNOHANG) == pid) break;
    if (i == 1999) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
    ::usleep(5000);
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  r.seconds = elapsed_ms() / 1000.0;
  return r;
}

bool only_replies(const std::string& out) {
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    if (end == std::string::npos) return false;
    std::string line = out.substr(pos, end - pos);
    if (line.size() < 3 || line[0] < '2' || line[0] > '5' || !isdigit(static_cast<unsigned char>(line[1])) ||
        !isdigit(static_cast<unsigned char>(line[2])))
      return false;
    if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return false;
    if (line.find('\n') != std::string::npos || line.find('\r') != std::string::npos) return false;
    pos = end + 2;
  }
  return true;
}

std::vector<std::string> lines(const std::string& out) {
  std::vector<std::string> v;
  std::size_t pos = 0;
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    if (end == std::string::npos) {
      v.push_back(out.substr(pos));
      break;
    }
    v.push_back(out.substr(pos, end - pos));
    pos = end + 2;
  }
  return v;
}

std::string crlf(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\n') out += '\r';
    out += c;
  }
  return out;
}

std::string transaction(const std::string& body, const std::vector<std::string>& rcpts, const std::string& sender,
                        bool quit) {
  std::string s = "EHLO client.example.org\r\nMAIL FROM:<" + sender + ">\r\n";
  for (const std::string& r : rcpts) s += "RCPT TO:<" + r + ">\r\n";
  s += "DATA\r\n";
  // dot-stuff the body (CRLF lines)
  std::size_t pos = 0;
  while (pos < body.size()) {
    if (body[pos] == '.') s += '.';
    std::size_t nl = body.find("\r\n", pos);
    std::size_t end = nl == std::string::npos ? body.size() : nl + 2;
    s.append(body, pos, end - pos);
    pos = end;
  }
  s += ".\r\n";
  if (quit) s += "QUIT\r\n";
  return s;
}

int count_processes(const std::string& needle) {
  int n = 0;
  for (const std::string& pid : Sandbox::list("/proc")) {
    if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
    std::ifstream in("/proc/" + pid + "/cmdline");
    std::string cmd((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    for (char& c : cmd)
      if (c == '\0') c = ' ';
    if (cmd.find(needle) != std::string::npos) ++n;
  }
  return n;
}

}  // namespace spoolgate::test

namespace spoolgate::test {

bool wait_for_file(const std::string& path, int ms) {
  struct stat st;
  for (int i = 0; i < ms / 10; ++i) {
    if (::stat(path.c_str(), &st) == 0) return true;
    ::usleep(10000);
  }
  return false;
}

}  // namespace spoolgate::test
