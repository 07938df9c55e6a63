// data_codec.cc - message data: end of data, dot-unstuffing in, dot-stuffing and CRLF out
#include "spoolgate/data_codec.h"

#include <cstring>
#include <optional>
#include <utility>

namespace spoolgate {

// DataDecoder::after_dot - a line that starts with "." (smtp_data mode):
// the end of data, or a stuffed dot that goes. How many octets that takes,
// or nullopt when ".", ".\r" cannot yet be told from ".\r\n" (RFC 5321 4.5.2).
std::optional<std::size_t> DataDecoder::after_dot(std::string_view s, bool eof) {
  if (!eof && (s.size() == 1 || (s.size() == 2 && s[1] == '\r'))) return std::nullopt;
  if (s.size() >= 3 && s[1] == '\r' && s[2] == '\n' && (prev_crlf_ || !strict_)) {
    done_ = true;
    return 3;
  }
  if (!strict_ && s.size() >= 2 && s[1] == '\n') {  // ".\n" from an LF-only client
    done_ = true;
    return 2;
  }
  // A stuffed dot, or a "." that is not <CR><LF>.<CR><LF>: the first dot
  // goes, the rest of the line is text (Postfix does the same).
  return 1;
}

// crlf_run - the fast path: from `pos`, a run of whole lines that end with
// CRLF and do not start with a dot needs no change on the way out. Returns
// where the run ends (`pos` when there is none).
std::size_t DataDecoder::crlf_run(std::string_view in, std::size_t pos) {
  std::size_t p = pos;
  while (p < in.size() && in[p] != '.') {
    const void* nl = std::memchr(in.data() + p, '\n', in.size() - p);
    if (nl == nullptr) break;
    std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - in.data());
    if (at == p || in[at - 1] != '\r') break;  // a bare LF: the slow path
    p = at + 1;
  }
  return p;
}

// line_piece - text up to the line's end (then the end of line), or up to
// what is there; returns where it stopped and whether a line ended
std::pair<std::size_t, bool> DataDecoder::line_piece(std::string_view in, std::size_t pos, bool eof, LineSink& sink) {
  const void* found = std::memchr(in.data() + pos, '\n', in.size() - pos);
  if (found == nullptr) {
    std::size_t end = in.size();
    if (!eof && in.back() == '\r') --end;  // may be the CR of a CRLF
    if (end > pos) {
      sink.text(in.substr(pos, end - pos));
      size_ += end - pos;
    }
    return {end, false};
  }
  std::size_t nl = static_cast<std::size_t>(static_cast<const char*>(found) - in.data());
  bool crlf = nl > pos && in[nl - 1] == '\r';
  std::size_t text_end = crlf ? nl - 1 : nl;
  if (text_end > pos) {
    sink.text(in.substr(pos, text_end - pos));
    size_ += text_end - pos;
  }
  sink.end_of_line();
  size_ += 2;
  if (!crlf) bare_lf_ = true;
  prev_crlf_ = crlf;
  return {nl + 1, true};
}

// DataDecoder::feed - one pass over what is buffered
std::size_t DataDecoder::feed(std::string_view in, bool eof, LineSink& sink) {
  std::size_t pos = 0;
  while (pos < in.size() && !done_) {
    if (at_line_start_ && mode_ == Mode::smtp_data && in[pos] == '.') {
      std::optional<std::size_t> used = after_dot(in.substr(pos), eof);
      if (!used) break;  // wait for more
      at_line_start_ = false;
      pos += *used;
      continue;
    }
    at_line_start_ = false;
    if (std::size_t run = crlf_run(in, pos); run > pos) {
      sink.crlf_lines(in.substr(pos, run - pos));
      size_ += run - pos;
      prev_crlf_ = true;
      at_line_start_ = true;
      pos = run;
      continue;
    }
    auto [next, line_ended] = line_piece(in, pos, eof, sink);
    pos = next;
    if (!line_ended) break;
    at_line_start_ = true;
  }
  if (eof && pos == in.size() && mode_ == Mode::plain && !done_) {
    if (!at_line_start_) {  // a last line without a terminator
      sink.end_of_line();
      size_ += 2;
      at_line_start_ = true;
    }
    done_ = true;
  }
  return pos;
}

// LineSink::crlf_lines - the slow path, line by line
void LineSink::crlf_lines(std::string_view lines) {
  while (!lines.empty()) {
    std::size_t nl = lines.find('\n');
    text(lines.substr(0, nl - 1));
    end_of_line();
    lines.remove_prefix(nl + 1);
  }
}

// LfWriter::crlf_lines - the same lines with LF alone as the terminator
void LfWriter::crlf_lines(std::string_view lines) {
  while (!lines.empty()) {
    std::size_t nl = lines.find('\n');
    out_.append(lines.substr(0, nl - 1));
    out_.append("\n");
    lines.remove_prefix(nl + 1);
  }
}

// WireWriter::text - stuff a leading dot (RFC 5321 4.5.2)
void WireWriter::text(std::string_view piece) {
  if (piece.empty()) return;
  if (line_start_) {
    if (piece.front() == '.') out_.append(".");
    line_start_ = false;
  }
  out_.append(piece);
}

void WireWriter::end_of_line() {
  out_.append("\r\n");
  line_start_ = true;
}

std::string to_wire(std::string_view in) {
  StringSink out;
  WireWriter w(out);
  DataDecoder d(DataDecoder::Mode::plain);
  d.feed(in, true, w);
  return out.s;
}

}  // namespace spoolgate
