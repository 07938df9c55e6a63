// quarantine_cli.cc - spoolgate-quarantine's commands: list, show, release, delete, expire
#include "quarantine_cli.h"

#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "spoolgate/bounds.h"
#include "spoolgate/log.h"
#include "spoolgate/message_log.h"
#include "spoolgate/next_hop.h"
#include "spoolgate/options.h"
#include "spoolgate/quarantine_store.h"
#include "spoolgate/signals.h"
#include "spoolgate/sysexits.h"

namespace spoolgate {
namespace {

const char* const kUsage =
    "usage: spoolgate-quarantine [OPTIONS] list | show ID | release ID [--to RECIPIENT]... | delete ID | expire [DAYS]\n"
    "OPTIONS are spoolgate's (--config FILE, --quarantine-dir DIR, --next-hop HOST:PORT, ...); see "
    "spoolgate-quarantine(8).\n";

void out(const std::string& s) { (void)!::write(1, s.data(), s.size()); }
void err(const std::string& s) { (void)!::write(2, s.data(), s.size()); }

struct UsageProblem : std::runtime_error {
  using std::runtime_error::runtime_error;
};

/// The command line: spoolgate's options, then a command and its words.
struct Command {
  Options opts;
  std::string name;
  std::vector<std::string> words;
};

// parse - everything before the command word is spoolgate's options
Command parse(int argc, const char* const* argv) {
  static const std::string_view kCommands[] = {"list", "show", "release", "delete", "expire"};
  std::vector<const char*> options = {"spoolgate"};
  Command c;
  int i = 1;
  for (; i < argc; ++i) {
    std::string_view a = argv[i];
    if (std::find(std::begin(kCommands), std::end(kCommands), a) != std::end(kCommands)) break;
    options.push_back(argv[i]);
  }
  if (i == argc) throw UsageProblem("no command");
  c.name = argv[i];
  for (++i; i < argc; ++i) c.words.emplace_back(argv[i]);
  options.push_back(nullptr);
  c.opts = parse_options(static_cast<int>(options.size() - 1), options.data());
  if (c.opts.filter.quarantine_dir.empty()) throw UsageProblem("no quarantine directory: give --quarantine-dir or --config");
  return c;
}

std::string stamp(std::time_t t) {
  char buf[32] = "";
  std::tm tm{};
  ::localtime_r(&t, &tm);
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

// list_line - ID, time, queue ID, verdict, size, sender, recipients, (reason)
std::string list_line(const QuarantineEntry& e) {
  const Envelope& env = e.block.env;
  std::string to;
  for (const std::string& r : env.recipients) to += fmt::format("{}<{}>", to.empty() ? "" : ",", r);
  if (to.size() > kMaxLogRecipients) to = to.substr(0, kMaxLogRecipients) + "...";
  return log::printable(fmt::format("{}  {}  {}  {}  {}  <{}>  {}  ({})", e.id, stamp(e.when),
                                    env.client.ident.empty() ? "-" : env.client.ident, to_string(e.block.note.verdict),
                                    e.message_size, env.sender, to, e.block.note.reason),
                        kMaxLogRecipients + 2 * kMaxQuarantineValue) +
         "\n";
}

int cmd_list(const Command& c) {
  std::size_t unreadable = 0;
  for (const QuarantineEntry& e : QuarantineStore(c.opts.filter.quarantine_dir).list(&unreadable)) out(list_line(e));
  if (unreadable) err(fmt::format("spoolgate-quarantine: {} file(s) without an envelope block skipped\n", unreadable));
  return kExOk;
}

int cmd_show(const Command& c) {
  if (c.words.size() != 1) throw UsageProblem("show needs one ID");
  Fd file;
  QuarantineEntry e = QuarantineStore(c.opts.filter.quarantine_dir).open(c.words[0], &file);
  char buf[kIoChunk];
  for (off_t off = 0;;) {
    ssize_t n = retry_eintr([&] { return ::pread(file.get(), buf, sizeof buf, off); });
    if (n <= 0) break;
    write_all(1, buf, static_cast<std::size_t>(n), "write");
    off += n;
  }
  return kExOk;
}

// release_envelope - the stored envelope, or the --to recipients instead
Envelope release_envelope(const QuarantineEntry& e, const std::vector<std::string>& words) {
  Envelope env = e.block.env;
  std::vector<std::string> to;
  for (std::size_t i = 1; i < words.size(); ++i) {
    if (words[i] != "--to" || i + 1 == words.size()) throw UsageProblem(fmt::format("release: unexpected '{}'", words[i]));
    to.push_back(words[++i]);
  }
  if (!to.empty()) {
    env.recipients.clear();
    env.recipient_bytes = 0;
    for (std::string& r : to) env.add_recipient(std::move(r));
  }
  return env;
}

// cmd_release - to the next hop, bypassing the hooks; the file goes only
// after the next hop's 250, so nothing is lost when it refuses
int cmd_release(const Command& c) {
  if (c.words.empty()) throw UsageProblem("release needs an ID");
  QuarantineStore store(c.opts.filter.quarantine_dir);
  Fd file;
  QuarantineEntry e = store.open(c.words[0], &file);
  Envelope env = release_envelope(e, c.words);
  MessageSpools spools(c.opts.filter.limits.spool, false);
  env.size = store.load_message(e, file.get(), spools);
  NextHop hop(c.opts.next_hop);
  Delivery d;
  try {
    hop.open();
    d = hop.deliver(env, OutgoingMessage{{}, spools.wire(), env.size});
    hop.quit();
  } catch (const std::exception& ex) {
    err(fmt::format("spoolgate-quarantine: {}: not released, the next hop {}: {}\n", e.id, c.opts.next_hop.endpoint.to_string(), ex.what()));
    return kExTempFail;
  }
  Outcome o{Verdict::accept, "released", d.stage == Delivery::Stage::end_of_data ? hop.relay() : "", d.reply.summary()};
  log::info("{}, released={}", log_line(env, o), e.id);
  if (!d.reply.positive()) {
    err(fmt::format("spoolgate-quarantine: {}: not released: {} ({} refused)\n", e.id, d.reply.summary(), d.what()));
    return d.reply.klass() == 5 ? kExUnavailable : kExTempFail;
  }
  store.remove(e.id);
  out(fmt::format("{}: released: {}\n", e.id, d.reply.summary()));
  return kExOk;
}

int cmd_delete(const Command& c) {
  if (c.words.size() != 1) throw UsageProblem("delete needs one ID");
  QuarantineStore(c.opts.filter.quarantine_dir).remove(c.words[0]);
  log::info("quarantine: {} deleted", c.words[0]);
  return kExOk;
}

int cmd_expire(const Command& c) {
  if (c.words.size() > 1) throw UsageProblem("expire takes at most DAYS");
  unsigned days = c.words.empty() ? c.opts.quarantine_days : parse_days(c.words[0]);
  std::size_t n = QuarantineStore(c.opts.filter.quarantine_dir).expire(days);
  log::info("quarantine: {} message(s) older than {} day(s) expired", n, days);
  out(fmt::format("{} expired\n", n));
  return kExOk;
}

}  // namespace

int run_quarantine_cli(int argc, const char* const* argv) {
  if (!open_missing_std_fds()) return kExTempFail;
  Command c;
  try {
    c = parse(argc, argv);
  } catch (const std::exception& e) {  // UsageProblem, UsageError
    err(fmt::format("spoolgate-quarantine: bad usage: {}\n{}", e.what(), kUsage));
    return kExUsage;
  }
  log::init(c.opts.log_target, c.opts.log_file, c.opts.verbose);
  signals::install();
  try {
    if (c.name == "list") return cmd_list(c);
    if (c.name == "show") return cmd_show(c);
    if (c.name == "release") return cmd_release(c);
    if (c.name == "delete") return cmd_delete(c);
    return cmd_expire(c);
  } catch (const UsageProblem& e) {
    err(fmt::format("spoolgate-quarantine: bad usage: {}\n{}", e.what(), kUsage));
    return kExUsage;
  } catch (const UsageError& e) {
    err(fmt::format("spoolgate-quarantine: bad usage: {}\n", e.what()));
    return kExUsage;
  } catch (const QuarantineError& e) {
    err(fmt::format("spoolgate-quarantine: {}\n", e.what()));
    return kExNoInput;
  }
}

}  // namespace spoolgate
