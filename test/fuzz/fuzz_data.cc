// fuzz_data.cc - libFuzzer target: message data (data_codec.h: DataDecoder, WireWriter, LfWriter)
//
// DESCRIPTION
//   Input: one octet of flags, eight octets that choose the split points,
//   then the octets that follow DATA. Flags: bit 0 plain mode (hook output,
//   --pipe) instead of smtp_data; bit 1 the DATA command ended with a bare
//   LF (lenient end of data) instead of CRLF. A shorter input is all flags
//   and split seed, with no data.
//
//   The data is decoded the way the session reads it (what feed() leaves
//   unused is offered again with the next read; EOF after the last chunk)
//   in four ways: all at once with EOF, all at once then EOF, in chunks of
//   1 to 64 octets chosen by the split seed, and one octet at a time.
//
//   Invariants checked:
//   - every split gives the same wire output, LF output, end position,
//     done(), size() and saw_bare_lf() as the whole (the end of data does
//     not depend on how TCP cut the stream);
//   - feed() keeps back at most two octets before EOF, none at EOF, and
//     plain mode is done at EOF;
//   - the lines and the end position agree with a line-by-line reference
//     of the rule in data_codec.h, written independently here;
//   - size() is the decoded length: line text plus CRLF per line;
//   - the wire output has no bare LF, ends with CRLF, and has no "." line;
//   - the anti-smuggling property: the wire output with ".\r\n" appended,
//     decoded again in strict mode, ends exactly at its end and gives back
//     exactly the same lines: the next hop sees what spoolgate saw.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "spoolgate/data_codec.h"

using namespace spoolgate;
using spoolgate::fuzz::show;

namespace {

/// Counts what a LineSink is given, through the base class's defaults
/// only: for the size() check.
class CountingSink : public LineSink {
 public:
  void text(std::string_view piece) override {
    FUZZ_CHECK(piece.find('\n') == std::string_view::npos, "text piece holds LF: " + show(piece));
    text_octets += piece.size();
  }
  void end_of_line() override { ++lines; }
  std::uint64_t text_octets = 0;
  std::uint64_t lines = 0;
};

struct Decoded {
  std::string wire;
  std::string lf;
  bool done = false;
  std::size_t used = 0;
  std::uint64_t size = 0;
  bool bare_lf = false;
  CountingSink counts;
};

// decode - feed `in` in chunks of the lengths `next_len` gives (0: all of it),
// keeping what feed() leaves, then EOF; as ServerSession::receive_message reads
template <typename NextLen>
Decoded decode(std::string_view in, DataDecoder::Mode mode, bool data_crlf, NextLen next_len, bool eof_with_last) {
  Decoded r;
  StringSink wire_out, lf_out;
  WireWriter wire(wire_out);
  LfWriter lf(lf_out);
  TeeSink writers(wire, lf);  // the session's own tee, so that the writers' overrides run
  TeeSink tee(writers, r.counts);
  DataDecoder d(mode, data_crlf);
  std::string pending;
  std::size_t offered = 0;
  for (;;) {
    std::size_t len = next_len();
    if (len == 0 || len > in.size() - offered) len = in.size() - offered;
    pending.append(in.substr(offered, len));
    offered += len;
    const bool eof = offered == in.size() && eof_with_last;
    std::size_t used = d.feed(pending, eof, tee);
    FUZZ_CHECK(used <= pending.size(), "feed used more than it was given");
    pending.erase(0, used);
    r.used += used;
    if (d.done()) break;
    if (eof) {
      FUZZ_CHECK(pending.empty(), "feed kept octets back at EOF");
      break;
    }
    FUZZ_CHECK(pending.size() <= 2, "feed kept back more than two octets: " + show(pending));
    if (offered == in.size()) {
      if (!eof_with_last) {
        eof_with_last = true;  // then EOF, with nothing new
        used = d.feed(pending, true, tee);
        FUZZ_CHECK(used == pending.size() || d.done(), "feed kept octets back at EOF");
        r.used += used;
        break;
      }
    }
  }
  if (mode == DataDecoder::Mode::plain) FUZZ_CHECK(d.done(), "plain mode not done at EOF");
  r.wire = wire_out.s;
  r.lf = lf_out.s;
  r.done = d.done();
  r.size = d.size();
  r.bare_lf = d.saw_bare_lf();
  return r;
}

// reference - data_codec.h's rule line by line: the lines (LF form), where
// the data ends, and whether a bare LF was seen
struct Reference {
  std::string lf;
  bool done = false;
  std::size_t used = 0;
  bool bare_lf = false;
};

Reference reference(std::string_view in, bool smtp_data, bool strict) {
  Reference r;
  bool prev_crlf = strict;
  std::size_t pos = 0;
  while (pos < in.size()) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string_view::npos) break;
    bool crlf = nl > pos && in[nl - 1] == '\r';
    std::string_view text = in.substr(pos, (crlf ? nl - 1 : nl) - pos);
    if (smtp_data && !text.empty() && text.front() == '.') {
      if (text == "." && (crlf ? (prev_crlf || !strict) : !strict)) {
        r.done = true;
        r.used = nl + 1;
        return r;
      }
      text.remove_prefix(1);
    }
    r.lf.append(text);
    r.lf += '\n';
    r.bare_lf = r.bare_lf || !crlf;
    prev_crlf = crlf;
    pos = nl + 1;
  }
  std::string_view partial = in.substr(pos);  // a last line without LF, at EOF
  if (smtp_data) {
    if (!partial.empty() && partial.front() == '.') partial.remove_prefix(1);
    r.lf.append(partial);
  } else {
    if (!partial.empty()) {
      r.lf.append(partial);
      r.lf += '\n';
    }
    r.done = true;
  }
  r.used = in.size();
  return r;
}

void same(const Decoded& a, const Decoded& b, const char* how, std::string_view in) {
  const std::string what = std::string(how) + " differs from the whole for " + show(in);
  FUZZ_CHECK(a.wire == b.wire, "wire output: " + what);
  FUZZ_CHECK(a.lf == b.lf, "LF output: " + what);
  FUZZ_CHECK(a.done == b.done, "done(): " + what);
  FUZZ_CHECK(a.used == b.used, "end position: " + what);
  FUZZ_CHECK(a.size == b.size, "size(): " + what);
  FUZZ_CHECK(a.bare_lf == b.bare_lf, "saw_bare_lf(): " + what);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view all(reinterpret_cast<const char*>(data), size);
  if (all.empty()) return 0;
  const unsigned flags = static_cast<unsigned char>(all[0]);
  const std::string_view seed = all.substr(1, 8);
  const std::string_view in = all.substr(std::min<std::size_t>(all.size(), 9));
  const auto mode = (flags & 1) ? DataDecoder::Mode::plain : DataDecoder::Mode::smtp_data;
  const bool data_crlf = !(flags & 2);

  // 1. the whole, then every other way of cutting it
  const Decoded whole = decode(in, mode, data_crlf, [] { return std::size_t{0}; }, true);
  same(decode(in, mode, data_crlf, [] { return std::size_t{0}; }, false), whole, "whole then EOF", in);
  fuzz::Splitter splitter(seed);
  same(decode(in, mode, data_crlf, [&] { return splitter.next(); }, false), whole, "random split", in);
  same(decode(in, mode, data_crlf, [] { return std::size_t{1}; }, false), whole, "octet by octet", in);

  // 2. an independent reading of the rule
  const Reference ref = reference(in, mode == DataDecoder::Mode::smtp_data, data_crlf);
  FUZZ_CHECK(whole.lf == ref.lf, "lines differ from the reference for " + show(in));
  FUZZ_CHECK(whole.done == ref.done, "end of data differs from the reference for " + show(in));
  FUZZ_CHECK(whole.used == ref.used, "end position differs from the reference for " + show(in));
  FUZZ_CHECK(whole.bare_lf == ref.bare_lf, "saw_bare_lf differs from the reference for " + show(in));

  // 3. size() is the decoded length
  FUZZ_CHECK(whole.size == whole.counts.text_octets + 2 * whole.counts.lines, "size() is not text + CRLF per line");

  // 4. the wire form: CRLF only, no "." line, and the next hop reads the same lines
  const std::string& w = whole.wire;
  for (std::size_t i = w.find('\n'); i != std::string::npos; i = w.find('\n', i + 1))
    FUZZ_CHECK(i > 0 && w[i - 1] == '\r', "bare LF in the wire output for " + show(in));
  FUZZ_CHECK(w.empty() || (w.size() >= 2 && w.compare(w.size() - 2, 2, "\r\n") == 0) ||
                 (mode == DataDecoder::Mode::smtp_data && !whole.done),
             "wire output does not end with CRLF for " + show(in));
  FUZZ_CHECK(w.rfind(".\r\n", 0) != 0 && w.find("\r\n.\r\n") == std::string::npos,
             "a \".\" line in the wire output for " + show(in));
  if (whole.done || mode == DataDecoder::Mode::plain) {
    const std::string again_in = w + ".\r\n";
    const Decoded again = decode(again_in, DataDecoder::Mode::smtp_data, true, [] { return std::size_t{0}; }, true);
    FUZZ_CHECK(again.done && again.used == again_in.size(),
               "the next hop would see another end of data for " + show(in));
    FUZZ_CHECK(again.lf == whole.lf, "the next hop would see other lines for " + show(in));
    FUZZ_CHECK(again.size == whole.size, "the next hop would count another size for " + show(in));
    FUZZ_CHECK(again.wire == w, "wire form is not stable for " + show(in));
  }
  return 0;
}
