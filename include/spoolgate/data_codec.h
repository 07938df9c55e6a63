// data_codec.h - message data: end of data, dot-unstuffing in, dot-stuffing and CRLF out
//
// DESCRIPTION
//   DataDecoder reads the octets that follow DATA and hands each line's text
//   (dot-unstuffed, terminator removed) to a LineSink, in pieces, so that a
//   line of any length streams through a fixed buffer. It stops right after
//   the end of data and leaves what follows (pipelined commands) alone.
//
//   Lines end at LF; a CR before the LF is part of the terminator, and any
//   other CR is text (SPEC: "a bare CR inside a line"). A bare LF ends a line
//   as in Postfix's smtpd.
//
//   The end of data depends on how the client ended the DATA command:
//   - with CRLF, as every SMTP client does (strict): the sequence
//     <CR><LF>.<CR><LF> and nothing else. A "." line ends the data only
//     when it ends with CRLF and the line before it did too, as Postfix
//     does with smtpd_forbid_bare_newline = normalize; "\n.\n", "\r\n.\n",
//     "\n.\r\n" and the like are text (an empty line once unstuffed).
//   - with a bare LF (a transcript typed in an editor and piped in): any
//     line that is just ".", whatever its line end.
//   Either way, every line leaves spoolgate as text + CRLF and the end of
//   data as ".\r\n", so the next hop sees exactly the lines and the end of
//   data that spoolgate saw: no message can be smuggled past the filter.
//
//   Mode::plain does no dot handling and ends at EOF: for hook output and
//   for --pipe, where the message arrives with LF or CRLF line ends.
//
//   WireWriter renders lines for the next hop (dot-stuffed, CRLF); LfWriter
//   renders them for the hook (as received, LF), the form pipe(8) gives.
//
// SEE ALSO
//   RFC 5321 4.5.2 (transparency), 2.3.8 (lines); SPEC.md "Never lose mail".
#pragma once

#include <cstdint>
#include <optional>
#include <utility>
#include <string>
#include <string_view>

namespace spoolgate {

/// Where octets go: a spool or a string.
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual void append(std::string_view bytes) = 0;
};

/// Appends to a std::string (header blocks, tests).
class StringSink : public ByteSink {
 public:
  void append(std::string_view bytes) override { s.append(bytes); }
  std::string s;
};

/// Receives decoded lines.
class LineSink {
 public:
  virtual ~LineSink() = default;
  /// More text of the current line (never contains the terminator).
  virtual void text(std::string_view piece) = 0;
  virtual void end_of_line() = 0;
  /// Whole lines at once, the fast path for well-formed input: each ends
  /// with CRLF (the terminator) and none starts with ".". By default, split
  /// into text() and end_of_line().
  virtual void crlf_lines(std::string_view lines);
};

class DataDecoder {
 public:
  enum class Mode { smtp_data, plain };

  /// `data_crlf`: whether the DATA command line itself ended with CRLF
  /// (strict end of data, see above).
  explicit DataDecoder(Mode mode = Mode::smtp_data, bool data_crlf = true)
      : mode_(mode), strict_(data_crlf), prev_crlf_(data_crlf) {}

  /// Decode from `in`; returns how many octets were used. Fewer than all
  /// when the end of data was reached, or when up to two octets must wait
  /// for more input to be told apart (a CR that may precede LF, a "." that
  /// may start the end of data). `eof`: no more input will come.
  std::size_t feed(std::string_view in, bool eof, LineSink& sink);

  /// The end of data was seen (plain mode: EOF was).
  bool done() const { return done_; }
  /// Octets of the message as received: CRLF line ends, dot-stuffing removed.
  std::uint64_t size() const { return size_; }
  /// Whether any line ended with a bare LF.
  bool saw_bare_lf() const { return bare_lf_; }

 private:
  std::optional<std::size_t> after_dot(std::string_view s, bool eof);
  static std::size_t crlf_run(std::string_view in, std::size_t pos);
  std::pair<std::size_t, bool> line_piece(std::string_view in, std::size_t pos, bool eof, LineSink& sink);
  Mode mode_;
  bool strict_;
  bool prev_crlf_;
  bool at_line_start_ = true;
  bool done_ = false;
  bool bare_lf_ = false;
  std::uint64_t size_ = 0;
};

/// Lines for the next hop: dot-stuffed, CRLF-terminated.
class WireWriter : public LineSink {
 public:
  explicit WireWriter(ByteSink& out) : out_(out) {}
  void text(std::string_view piece) override;
  void end_of_line() override;
  /// Such lines are already in wire form.
  void crlf_lines(std::string_view lines) override {
    out_.append(lines);
    line_start_ = true;
  }

 private:
  ByteSink& out_;
  bool line_start_ = true;
};

/// Lines for the hook: as received, LF-terminated.
class LfWriter : public LineSink {
 public:
  explicit LfWriter(ByteSink& out) : out_(out) {}
  void text(std::string_view piece) override { out_.append(piece); }
  void end_of_line() override { out_.append("\n"); }
  void crlf_lines(std::string_view lines) override;

 private:
  ByteSink& out_;
};

/// Sends each line to two sinks.
class TeeSink : public LineSink {
 public:
  TeeSink(LineSink& a, LineSink& b) : a_(a), b_(b) {}
  void text(std::string_view piece) override {
    a_.text(piece);
    b_.text(piece);
  }
  void end_of_line() override {
    a_.end_of_line();
    b_.end_of_line();
  }
  void crlf_lines(std::string_view lines) override {
    a_.crlf_lines(lines);
    b_.crlf_lines(lines);
  }

 private:
  LineSink& a_;
  LineSink& b_;
};

/// Convenience for tests and small inputs: decode all of `in` in plain mode
/// and render it for the wire.
std::string to_wire(std::string_view in);

}  // namespace spoolgate
