// scan/bounds.h - every limit and default of the scanner hooks, in one place
//
// DESCRIPTION
//   The scanner hooks (clamav, spamassassin, rspamd) send a message to a
//   daemon and read its answer. Each constant here bounds one kind of
//   daemon output, or is the default of one option; the code that reads
//   enforces the bound where it reads. A daemon whose answer breaks a bound
//   is answering garbage, and the hook defers (man spoolgate(8), SCANNERS).
//
// SEE ALSO
//   spoolgate/bounds.h (the filter's own limits), man/spoolgate.8 "SCANNERS".
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>

namespace spoolgate::scan {

/// --timeout: the whole conversation with the daemon. Shorter than
/// spoolgate's --hook-timeout (60 s), so that a chain of two fits in it.
inline constexpr std::chrono::milliseconds kDefaultTimeout{20000};
/// Longest --timeout accepted.
inline constexpr std::chrono::seconds kMaxTimeout{3600};

/// clamav --max-size: Debian's clamd.conf has MaxFileSize and
/// StreamMaxLength 25M; over FILDES clamd skips a larger file silently.
inline constexpr std::uint64_t kClamavMaxSize = 25 * 1024 * 1024;
/// spamassassin --max-size: spamc's own default (500 KB). spamd scans a
/// 30 MB message in about 3 s here (SpamAssassin 4 reads only
/// body_part_scan_size of each part), but the spamd child that took it
/// keeps about 300 MB more for the rest of its life: larger mail is mostly
/// attachments, where spam is rare.
inline constexpr std::uint64_t kSpamassassinMaxSize = 500 * 1024;
/// rspamd --max-size: rspamd's own max_message (50 MiB); past it rspamd
/// resets the connection.
inline constexpr std::uint64_t kRspamdMaxSize = 50 * 1024 * 1024;

/// The message goes to the daemon in pieces this large (also the INSTREAM
/// chunk size).
inline constexpr std::size_t kSendChunk = 64 * 1024;
/// clamd's reply to one scan: "stream: NAME FOUND" (a virus name is short).
inline constexpr std::size_t kMaxClamdReply = 4096;
/// spamd's reply to SYMBOLS: a short head and the comma-separated rule names.
inline constexpr std::size_t kMaxSpamdReply = 64 * 1024;
/// rspamd's reply: JSON with every symbol and its options (URLs, addresses).
inline constexpr std::size_t kMaxRspamdReply = 4 * 1024 * 1024;
/// Longest line of a reply's head (status line, header fields).
inline constexpr std::size_t kMaxReplyHeadLine = 1024;
/// Most header fields in a reply's head.
inline constexpr std::size_t kMaxReplyHeadFields = 64;
/// How much of the message's header the spamassassin hook reads to see
/// whether it already carries the envelope (Received:, X-Envelope-From:).
inline constexpr std::size_t kMaxHeaderScan = 256 * 1024;

/// X-Spam-Level has at most this many stars (SpamAssassin's own cap).
inline constexpr int kMaxSpamLevelStars = 50;
/// X-Spam-Status is folded before this column.
inline constexpr std::size_t kFoldColumn = 78;
/// The tests= list of X-Spam-Status is cut (with "...") past this many
/// octets, well inside spoolgate's 64 KiB of header output.
inline constexpr std::size_t kMaxStatusTests = 8 * 1024;
/// A rule or symbol name longer than this is not a name: it is dropped.
inline constexpr std::size_t kMaxTestName = 128;

}  // namespace spoolgate::scan
