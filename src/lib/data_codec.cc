// data_codec.cc - message data: end of data, dot-unstuffing in, dot-stuffing and CRLF out
#include "spoolgate/data_codec.h"

#include <cstring>

namespace spoolgate {

// DataDecoder::feed - one pass over what is buffered
std::size_t DataDecoder::feed(std::string_view in, bool eof, LineSink& sink) {
  const std::size_t n = in.size();
  std::size_t pos = 0;
  while (pos < n && !done_) {
    if (at_line_start_) {
      at_line_start_ = false;
      if (mode_ == Mode::smtp_data && in[pos] == '.') {
        // Wait until ".", ".\r" can be told from ".\r\n" (RFC 5321 4.5.2).
        if (!eof && (n - pos == 1 || (n - pos == 2 && in[pos + 1] == '\r'))) {
          at_line_start_ = true;
          break;
        }
        if (n - pos >= 3 && in[pos + 1] == '\r' && in[pos + 2] == '\n' && (prev_crlf_ || !strict_)) {
          done_ = true;
          pos += 3;
          break;
        }
        if (!strict_ && n - pos >= 2 && in[pos + 1] == '\n') {  // ".\n" from an LF-only client
          done_ = true;
          pos += 2;
          break;
        }
        // A stuffed dot, or a "." that is not <CR><LF>.<CR><LF>: the first
        // dot goes, the rest of the line is text (Postfix does the same).
        ++pos;
        continue;
      }
    }
    if (in[pos] != '.') {
      // Fast path: a run of lines that end with CRLF and do not start with
      // a dot needs no change on the way out; it goes in one call.
      std::size_t p = pos;
      for (;;) {
        const void* nl = std::memchr(in.data() + p, '\n', n - p);
        if (nl == nullptr) break;
        std::size_t at = static_cast<std::size_t>(static_cast<const char*>(nl) - in.data());
        if (at == p || in[at - 1] != '\r') break;  // a bare LF: the slow path
        p = at + 1;
        if (p == n || in[p] == '.') break;
      }
      if (p > pos) {
        sink.crlf_lines(in.substr(pos, p - pos));
        size_ += p - pos;
        prev_crlf_ = true;
        at_line_start_ = true;
        pos = p;
        continue;
      }
    }
    const void* found = std::memchr(in.data() + pos, '\n', n - pos);
    if (found == nullptr) {
      std::size_t end = n;
      if (!eof && in[n - 1] == '\r') --end;  // may be the CR of a CRLF
      if (end > pos) {
        sink.text(in.substr(pos, end - pos));
        size_ += end - pos;
      }
      pos = end;
      break;
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
    at_line_start_ = true;
    pos = nl + 1;
  }
  if (eof && pos == n && mode_ == Mode::plain && !done_) {
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
