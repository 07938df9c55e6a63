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
#include <cctype>
#include <csignal>
#include <utility>
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

std::string quarantine_binary() {
  const char* b = std::getenv("SPOOLGATE_QUARANTINE_BIN");
  if (!b) throw std::runtime_error("SPOOLGATE_QUARANTINE_BIN is not set");
  return b;
}

std::string hook(const std::string& name) {
  const char* d = std::getenv("SPOOLGATE_TEST_HOOKS");
  if (!d) throw std::runtime_error("SPOOLGATE_TEST_HOOKS is not set");
  return std::string(d) + "/" + name;
}

namespace {

// ends_with_quit - the last line of the input is QUIT (any letter case)
bool ends_with_quit(const std::string& input) {
  std::string s = input;
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  std::size_t start = s.find_last_of('\n');
  std::string last = s.substr(start == std::string::npos ? 0 : start + 1);
  for (char& c : last) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return last == "QUIT";
}

// has_221 - the reply to QUIT has come
bool has_221(const std::string& out) { return out.rfind("221 ", 0) == 0 || out.find("\r\n221 ") != std::string::npos; }

}  // namespace

namespace {

// Channels - the client's side and spoolgate's side: one socketpair for 0, 1
// and 2 (as spawn(8) gives), or a pipe in and a pipe out (a manual run)
struct Channels {
  int child_in = -1, child_out = -1;  // spoolgate's 0, and 1 and 2
  int write_fd = -1, read_fd = -1;    // the test's ends (one socket, or two pipes)
  bool pipes = false;

  explicit Channels(bool as_pipes) : pipes(as_pipes) {
    int a[2], b[2];
    if (!pipes) {
      if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a) != 0) throw std::runtime_error("socketpair");
      write_fd = read_fd = a[0];
      child_in = child_out = a[1];
      return;
    }
    if (::pipe2(a, O_CLOEXEC) != 0 || ::pipe2(b, O_CLOEXEC) != 0) throw std::runtime_error("pipe");
    child_in = a[0];
    write_fd = a[1];
    read_fd = b[0];
    child_out = b[1];
  }
  void close_child_ends() {
    ::close(child_in);
    if (child_out != child_in) ::close(child_out);
  }
  // hang_up - the client has no more to say
  void hang_up() {
    if (!pipes) ::shutdown(write_fd, SHUT_WR);
    else if (write_fd >= 0) ::close(std::exchange(write_fd, -1));
  }
  void close_all() {
    if (write_fd >= 0 && write_fd != read_fd) ::close(write_fd);
    ::close(read_fd);
  }
};

// start - the binary as the filter user, on the channels
pid_t start(const Sandbox& box, const RunOptions& o, const Channels& ch) {
  std::vector<std::string> args = {o.program.empty() ? binary() : o.program};
  bool has_log = false;
  for (const std::string& a : o.args) has_log = has_log || a.rfind("--log", 0) == 0;
  if (!has_log) args.insert(args.end(), {"--log-file", box.file("log")});
  args.insert(args.end(), o.args.begin(), o.args.end());
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  FilterUser u = filter_user();
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid != 0) return pid;
  ::dup2(ch.child_in, 0);
  ::dup2(ch.child_out, 1);
  ::dup2(ch.child_out, 2);
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

// peak_rss - VmHWM, sampled while it runs (the last sample wins: it only
// grows); getrusage's ru_maxrss would also count the test process
long peak_rss(pid_t pid) {
  std::ifstream st("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  bool execed = false;
  long hwm = 0;
  while (std::getline(st, line)) {
    if (line.rfind("Name:", 0) == 0) execed = line.find("spoolgate") != std::string::npos;
    if (line.rfind("VmHWM:", 0) == 0) hwm = std::atol(line.c_str() + 6);
  }
  return execed ? hwm : 0;
}

// reap - after EOF the process exits at once; bounded anyway
void reap(pid_t pid, Run& r) {
  int st = 0;
  for (int i = 0; i < 2000; ++i) {
    if (long hwm = peak_rss(pid)) r.max_rss_kb = hwm;
    if (::waitpid(pid, &st, WNOHANG) == pid) break;
    if (i == 1999) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &st, 0);
    }
    ::usleep(5000);
  }
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

}  // namespace

// run_spoolgate - input in, everything out, bounded
Run run_spoolgate(const Sandbox& box, const RunOptions& o) {
  ::signal(SIGPIPE, SIG_IGN);  // a write to a pipe whose reader has gone: EPIPE
  Channels ch(o.as_pipes);
  auto start_time = std::chrono::steady_clock::now();
  pid_t pid = start(box, o, ch);
  ch.close_child_ends();
  ::fcntl(ch.write_fd, F_SETFL, O_NONBLOCK);
  ::fcntl(ch.read_fd, F_SETFL, O_NONBLOCK);
  Run r;
  std::size_t written = 0;
  bool input_done = false, eof = false;
  auto elapsed_ms = [&] {
    return static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start_time).count());
  };
  // a client that said QUIT waits for the 221 before it closes (SPEC: on a
  // socket, end of input before the verdict means the client has gone)
  bool close_after_221 = o.half_close && !o.hang_up_early && ends_with_quit(o.input);
  auto finish_input = [&] {
    input_done = true;
    if ((o.half_close && !close_after_221) || o.hang_up_early) ch.hang_up();
    if (o.after_input) o.after_input(ch.read_fd, pid);
  };
  if (o.input.empty()) finish_input();
  while (!eof) {
    if (long hwm = peak_rss(pid)) r.max_rss_kb = hwm;
    int left = o.limit_ms - elapsed_ms();
    if (left <= 0) {
      r.timed_out = true;
      ::kill(pid, SIGKILL);
      break;
    }
    pollfd p[2] = {{ch.read_fd, POLLIN, 0}, {input_done ? -1 : ch.write_fd, POLLOUT, 0}};
    if (::poll(p, 2, std::min(left, 100)) <= 0) continue;
    if (p[1].revents & (POLLOUT | POLLERR | POLLHUP)) {
      ssize_t n = ::send(ch.write_fd, o.input.data() + written, o.input.size() - written, MSG_NOSIGNAL);
      if (n < 0 && errno == ENOTSOCK) n = ::write(ch.write_fd, o.input.data() + written, o.input.size() - written);
      if (n > 0) written += static_cast<std::size_t>(n);
      if (n < 0 && errno != EAGAIN) written = o.input.size();  // the peer is gone
      if (written == o.input.size()) finish_input();
    }
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      char buf[65536];
      ssize_t n = ::read(ch.read_fd, buf, sizeof buf);
      if (n > 0) r.output.append(buf, static_cast<std::size_t>(n));
      else if (n == 0 || errno != EAGAIN) eof = true;
      if (close_after_221 && input_done && has_221(r.output)) {
        ch.hang_up();
        close_after_221 = false;
      }
    }
  }
  ch.close_all();
  reap(pid, r);
  r.seconds = elapsed_ms() / 1000.0;
  return r;
}

std::vector<std::string> hop_args(const FakeNextHop& hop, std::vector<std::string> more) {
  more.push_back("127.0.0.1");
  more.push_back(std::to_string(hop.port()));
  return more;
}

std::vector<std::string> pipe_args(const FakeNextHop& hop, std::vector<std::string> opts, const std::string& sender,
                                   std::vector<std::string> rcpts) {
  std::vector<std::string> a = {"--pipe"};
  a.insert(a.end(), opts.begin(), opts.end());
  a.insert(a.end(), {"127.0.0.1", std::to_string(hop.port()), "-f", sender, "--"});
  a.insert(a.end(), rcpts.begin(), rcpts.end());
  return a;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out << content;
}

bool contains(const std::string& haystack, const std::string& needle) { return haystack.find(needle) != std::string::npos; }

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
