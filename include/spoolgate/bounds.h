// bounds.h - every limit spoolgate enforces, in one place
//
// DESCRIPTION
//   "Once the size of in-memory objects is limited, total memory consumption
//   is limited by limiting the number of object instances" (Postfix,
//   resource.html). Each constant here bounds one kind of input; the code
//   that reads that input enforces it where it reads.
//
// SEE ALSO
//   SPEC.md "Never lose mail", man/spoolgate.8 "LIMITS".
#pragma once

#include <chrono>
#include <cstddef>

namespace spoolgate {

/// Longest command line from the client, CRLF excluded (SPEC: 500 5.5.2 past it).
inline constexpr std::size_t kMaxCommandLine = 2048;
/// Longest reply line from the next hop, CRLF excluded; longer is a protocol error.
inline constexpr std::size_t kMaxReplyLine = 2048;
/// Most lines in one multi-line reply from the next hop.
inline constexpr std::size_t kMaxReplyLines = 100;
/// Most recipients in one transaction (Postfix's smtpd_recipient_limit).
inline constexpr std::size_t kMaxRecipients = 1000;
/// Most octets of recipient addresses kept for one transaction.
inline constexpr std::size_t kMaxRecipientBytes = 512 * 1024;
/// Most bad commands in a session before 421 (Postfix's smtpd_hard_error_limit).
inline constexpr int kMaxErrors = 20;
/// Most NOOP/VRFY/HELP/RSET between two delivered messages (smtpd_junk_command_limit).
inline constexpr int kMaxJunkCommands = 100;
/// Most commands forwarded to the next hop before their replies are read.
inline constexpr std::size_t kMaxPipelinedCommands = 64;
/// Read buffer of each peer; message data streams through it.
inline constexpr std::size_t kReadBuffer = 128 * 1024;
/// Spool write buffer.
inline constexpr std::size_t kSpoolWriteBuffer = 64 * 1024;
/// One read from a pipe or a file: the hook's output, --pipe's stdin, a spool scanned for 8-bit octets.
inline constexpr std::size_t kIoChunk = 64 * 1024;
/// Longest envelope address --pipe takes from its command line (as a command line's).
inline constexpr std::size_t kMaxAddress = 2048;
/// Most header octets a hook may print in `headers` mode (SPEC).
inline constexpr std::size_t kMaxHookHeaders = 64 * 1024;
/// REASON is cut to this many characters (SPEC).
inline constexpr std::size_t kMaxReasonChars = 200;
/// Recipients in SPOOLGATE_RECIPIENTS are cut past this many octets (SPEC).
inline constexpr std::size_t kMaxEnvRecipients = 100 * 1024;
/// The log line's to= list is cut past this many characters (SPEC).
inline constexpr std::size_t kMaxLogRecipients = 1000;
/// Longest value on a line of a quarantine file's envelope block.
inline constexpr std::size_t kMaxQuarantineValue = 2048;
/// Longest envelope block read back (the recipients' lines included).
inline constexpr std::size_t kMaxQuarantineBlock = kMaxRecipientBytes + 64 * 1024;
/// Largest config file read (--config).
inline constexpr std::size_t kMaxConfigFile = 1024 * 1024;
/// Longest --add-header field.
inline constexpr std::size_t kMaxAddHeader = 8 * 1024;
/// How often a NOOP keeps the next hop's session alive while spoolgate waits
/// for the hook or for message data (Postfix's smtpd drops idle clients after
/// 10 s under stress).
inline constexpr std::chrono::milliseconds kKeepAliveInterval{4000};
/// Cut-through: a message is streamed to the next hop once this much of it
/// has come (smaller ones leave in one write with the final dot).
inline constexpr std::size_t kCutThroughThreshold = 256 * 1024;
/// Cut-through only when the hooks cannot take longer than this: inside
/// DATA no NOOP can keep the next hop waiting (Postfix's smtpd under stress
/// drops a silent client after 10 s).
inline constexpr std::chrono::milliseconds kCutThroughMaxHookTime{10'000};
/// How long QUIT waits for the next hop's 221 before spoolgate just closes.
inline constexpr std::chrono::milliseconds kQuitWait{2000};

}  // namespace spoolgate
