// data_codec_test.cc - unit tests of data_codec.h: end of data, unstuffing, wire and LF output
//
// Every decoding test goes through decode(), which feeds the input the way
// the server does: what feed() leaves unused stays in the buffer and is
// offered again with the next read. Splitting the input must never change the
// output or where the end of data is found.
#include "spoolgate/data_codec.h"

#include <catch2/catch.hpp>

#include <random>
#include <string>
#include <vector>

using namespace spoolgate;
using namespace std::string_literals;

namespace {

struct Decoded {
  std::string wire;  ///< WireWriter output (dot-stuffed, CRLF)
  std::string lf;    ///< LfWriter output (as received, LF)
  bool done = false;
  std::size_t used = 0;  ///< octets of the input consumed in all
  std::uint64_t size = 0;
  bool bare_lf = false;
};

// decode - feed `chunks` one after the other, keeping what feed() leaves
Decoded decode(const std::vector<std::string>& chunks, bool data_crlf = true,
               DataDecoder::Mode mode = DataDecoder::Mode::smtp_data, bool eof_at_end = false) {
  StringSink wire_out, lf_out;
  WireWriter wire(wire_out);
  LfWriter lf(lf_out);
  TeeSink tee(wire, lf);
  DataDecoder d(mode, data_crlf);
  Decoded r;
  std::string pending;
  for (std::size_t i = 0; i < chunks.size(); ++i) {
    pending += chunks[i];
    bool eof = eof_at_end && i + 1 == chunks.size();
    std::size_t used = d.feed(pending, eof, tee);
    REQUIRE(used <= pending.size());
    pending.erase(0, used);
    r.used += used;
    if (d.done()) break;
  }
  r.wire = wire_out.s;
  r.lf = lf_out.s;
  r.done = d.done();
  r.size = d.size();
  r.bare_lf = d.saw_bare_lf();
  return r;
}

Decoded decode_whole(const std::string& in, bool data_crlf = true) { return decode({in}, data_crlf); }

// check_every_split - byte by byte, and every 2-way split, agree with the whole
void check_every_split(const std::string& in, bool data_crlf = true) {
  const Decoded whole = decode_whole(in, data_crlf);
  std::vector<std::string> bytes;
  for (char c : in) bytes.emplace_back(1, c);
  const Decoded by_byte = decode(bytes, data_crlf);
  CHECK(by_byte.wire == whole.wire);
  CHECK(by_byte.lf == whole.lf);
  CHECK(by_byte.done == whole.done);
  CHECK(by_byte.used == whole.used);
  CHECK(by_byte.size == whole.size);
  for (std::size_t k = 0; k <= in.size(); ++k) {
    INFO("split at " << k);
    const Decoded two = decode({in.substr(0, k), in.substr(k)}, data_crlf);
    CHECK(two.wire == whole.wire);
    CHECK(two.lf == whole.lf);
    CHECK(two.done == whole.done);
    CHECK(two.used == whole.used);
    CHECK(two.size == whole.size);
  }
}

// Reference - the end-of-data rule of data_codec.h, written line by line
struct Reference {
  bool done = false;
  std::size_t used = 0;  ///< through the end of data
  std::string wire;      ///< lines before the end, unstuffed, then stuffed, CRLF
  std::string lf;
};

Reference reference(const std::string& in, bool strict) {
  Reference r;
  bool prev_crlf = strict;  // the DATA line's own end
  std::size_t pos = 0;
  for (;;) {
    std::size_t nl = in.find('\n', pos);
    if (nl == std::string::npos) return r;  // no complete line left: no end of data
    std::string text = in.substr(pos, nl - pos);
    bool crlf = !text.empty() && text.back() == '\r';
    if (crlf) text.pop_back();
    bool end = text == "." && (strict ? crlf && prev_crlf : true);
    if (end) {
      r.done = true;
      r.used = nl + 1;
      return r;
    }
    if (!text.empty() && text[0] == '.') text.erase(0, 1);
    r.wire += (!text.empty() && text[0] == '.' ? "." : "") + text + "\r\n";
    r.lf += text + "\n";
    prev_crlf = crlf;
    pos = nl + 1;
  }
}

}  // namespace

TEST_CASE("DataDecoder: CRLF data goes to the wire byte for byte", "[data_codec]") {
  const std::string body =
      "From: a@example.com\r\n"
      "Subject: test\r\n"
      "\r\n"
      "caf\xc3\xa9 \xff\xfe\x80\r\n"
      "nul\0inside\0\r\n"s
      "bare\rCR inside\r\n"
      "tab\there\r\n";
  Decoded d = decode_whole(body + ".\r\n");
  CHECK(d.done);
  CHECK(d.used == body.size() + 3);
  CHECK(d.wire == body);
  CHECK_FALSE(d.bare_lf);
}

TEST_CASE("DataDecoder: lines starting with '.' are unstuffed, then stuffed again", "[data_codec]") {
  SECTION("'..' is one dot in, two dots out") {
    Decoded d = decode_whole("..\r\n..hidden\r\n.\r\n");
    CHECK(d.done);
    CHECK(d.wire == "..\r\n..hidden\r\n");
    CHECK(d.lf == ".\n.hidden\n");
  }
  SECTION("a single unstuffed '.' that is not the end (\".x\")") {
    Decoded d = decode_whole(".x\r\n.\r\n");
    CHECK(d.done);
    CHECK(d.wire == "x\r\n");
    CHECK(d.lf == "x\n");
  }
  SECTION("'...' keeps two dots of text") {
    Decoded d = decode_whole("...\r\n.\r\n");
    CHECK(d.wire == "...\r\n");
    CHECK(d.lf == "..\n");
  }
  SECTION("a dot in the middle of a line is text") {
    Decoded d = decode_whole("a.\r\n a\r\n.\r\n");
    CHECK(d.wire == "a.\r\n a\r\n");
  }
}

TEST_CASE("DataDecoder: a bare CR is text, \"\\r\\r\\n\" is text CR then CRLF", "[data_codec]") {
  Decoded d = decode_whole("a\rb\r\nc\r\r\n\r\r\n.\r\n");
  CHECK(d.done);
  CHECK(d.wire == "a\rb\r\nc\r\r\n\r\r\n");
  CHECK(d.lf == "a\rb\nc\r\n\r\n");
}

TEST_CASE("DataDecoder: a 100000-octet line streams through unchanged", "[data_codec]") {
  std::string line(100000, 'x');
  for (std::size_t i = 0; i < line.size(); i += 997) line[i] = static_cast<char>('A' + i % 26);
  line[0] = '.';  // and it starts with a stuffed dot
  const std::string in = "." + line + "\r\n.\r\nQUIT\r\n";
  SECTION("whole") {
    Decoded d = decode_whole(in);
    CHECK(d.done);
    CHECK(d.wire == "." + line + "\r\n");
    CHECK(d.lf == line + "\n");
    CHECK(d.used == in.size() - 6);
    CHECK(d.size == line.size() + 2);
  }
  SECTION("in 4096-octet reads") {
    std::vector<std::string> chunks;
    for (std::size_t i = 0; i < in.size(); i += 4096) chunks.push_back(in.substr(i, 4096));
    Decoded d = decode(chunks);
    CHECK(d.done);
    CHECK(d.wire == "." + line + "\r\n");
    CHECK(d.used == in.size() - 6);
  }
  SECTION("byte by byte") {
    std::vector<std::string> bytes;
    for (char c : in) bytes.emplace_back(1, c);
    Decoded d = decode(bytes);
    CHECK(d.done);
    CHECK(d.wire == "." + line + "\r\n");
    CHECK(d.used == in.size() - 6);
  }
}

TEST_CASE("DataDecoder: strict end of data is <CR><LF>.<CR><LF> only", "[data_codec]") {
  SECTION("at once after DATA") {
    Decoded d = decode_whole(".\r\n");
    CHECK(d.done);
    CHECK(d.used == 3);
    CHECK(d.wire.empty());
    CHECK(d.size == 0);
  }
  SECTION("after a CRLF line") {
    Decoded d = decode_whole("a\r\n.\r\n");
    CHECK(d.done);
    CHECK(d.used == 6);
    CHECK(d.wire == "a\r\n");
  }
  SECTION("after a line ending in a bare CR before the CRLF") {
    Decoded d = decode_whole("a\r\r\n.\r\n");
    CHECK(d.done);
    CHECK(d.wire == "a\r\r\n");
  }
  SECTION("no end without the final CRLF") {
    Decoded d = decode_whole("a\r\n.");
    CHECK_FALSE(d.done);
    CHECK(d.used == 3);  // the '.' waits for what follows
    Decoded e = decode_whole("a\r\n.\r");
    CHECK_FALSE(e.done);
    CHECK(e.used == 3);
  }
}

TEST_CASE("DataDecoder: strict mode, smuggling variants are text, not the end", "[data_codec]") {
  // Each variant sits between two CRLF lines, and a real end follows. The
  // decoder must go on to the real end, and the next hop must see the fake
  // end as ordinary lines (the unstuffed "." is an empty line), so that it
  // cannot find an end of data that spoolgate did not.
  struct Row {
    std::string variant;  ///< between "a" and "MAIL FROM:<evil@x>\r\n"
    std::string wire;     ///< what the next hop gets for "a" + variant
    std::string lf;       ///< what the hook gets
  };
  const Row rows[] = {
      {"\n.\n", "a\r\n\r\n", "a\n\n"},
      {"\n.\r\n", "a\r\n\r\n", "a\n\n"},
      {"\r\n.\n", "a\r\n\r\n", "a\n\n"},
      {"\r.\r", "a\r.\r", "a\r.\r"},  // no line end at all: one line goes on
      {"\r\n.\r\r\n", "a\r\n\r\r\n", "a\n\r\n"},
      {"\r\r\n.\r\r\n", "a\r\r\n\r\r\n", "a\r\n\r\n"},
      {"\r.\r\n", "a\r.\r\n", "a\r.\n"},
      {"\n.\r\r\n", "a\r\n\r\r\n", "a\n\r\n"},
  };
  for (const Row& row : rows) {
    const std::string in = "a" + row.variant + "MAIL FROM:<evil@x>\r\n.\r\nQUIT\r\n";
    INFO("variant: " << Catch::Detail::stringify(row.variant));
    Decoded d = decode_whole(in);
    CHECK(d.done);
    CHECK(d.used == in.size() - 6);  // stopped at the real end only
    CHECK(d.wire == row.wire + "MAIL FROM:<evil@x>\r\n");
    CHECK(d.lf == row.lf + "MAIL FROM:<evil@x>\n");
    // What the next hop gets, with its end of data, has exactly one
    // <CR><LF>.<CR><LF>: the one spoolgate saw.
    const std::string sent = "\r\n" + d.wire + ".\r\n";
    CHECK(sent.find("\r\n.\r\n") == sent.size() - 5);
  }
}

TEST_CASE("DataDecoder: strict mode, a lone '.' after a bare-LF line is an empty line", "[data_codec]") {
  Decoded d = decode_whole("a\n.\r\nb\r\n.\r\n");
  CHECK(d.done);
  CHECK(d.wire == "a\r\n\r\nb\r\n");
  CHECK(d.bare_lf);
}

TEST_CASE("DataDecoder: lax mode (DATA ended with a bare LF) ends at any '.' line", "[data_codec]") {
  SECTION("\".\\n\" after LF lines") {
    Decoded d = decode_whole("Subject: x\n\nbody\n.\nQUIT\n", false);
    CHECK(d.done);
    CHECK(d.used == std::string("Subject: x\n\nbody\n.\n").size());
    CHECK(d.wire == "Subject: x\r\n\r\nbody\r\n");
    CHECK(d.lf == "Subject: x\n\nbody\n");
    CHECK(d.bare_lf);
  }
  SECTION("\".\\r\\n\" after an LF line") {
    Decoded d = decode_whole("body\n.\r\nQUIT\n", false);
    CHECK(d.done);
    CHECK(d.used == 8);
    CHECK(d.wire == "body\r\n");
  }
  SECTION("\".\\n\" at once") {
    Decoded d = decode_whole(".\n", false);
    CHECK(d.done);
    CHECK(d.used == 2);
    CHECK(d.wire.empty());
  }
  SECTION("stuffed dots still unstuffed") {
    Decoded d = decode_whole("..x\n.\n", false);
    CHECK(d.wire == "..x\r\n");
    CHECK(d.lf == ".x\n");
  }
  SECTION("\".\\r\\r\\n\" is still text") {
    Decoded d = decode_whole(".\r\r\n.\n", false);
    CHECK(d.done);
    CHECK(d.wire == "\r\r\n");
  }
}

TEST_CASE("DataDecoder: what follows the end of data is left alone", "[data_codec]") {
  const std::string in = "a\r\n.\r\nQUIT\r\n";
  Decoded d = decode_whole(in);
  CHECK(d.done);
  REQUIRE(d.used == 6);
  CHECK(in.substr(d.used) == "QUIT\r\n");
  CHECK(d.wire == "a\r\n");

  SECTION("further feeds after the end use nothing") {
    StringSink out;
    WireWriter w(out);
    DataDecoder dec;
    CHECK(dec.feed(in, false, w) == 6);
    CHECK(dec.feed("QUIT\r\n", false, w) == 0);
    CHECK(dec.feed("QUIT\r\n", true, w) == 0);
    CHECK(out.s == "a\r\n");
  }
}

TEST_CASE("DataDecoder: every split of the input gives the same result", "[data_codec]") {
  const std::string strict_inputs[] = {
      "a\r\n.\r\nQUIT\r\n",
      ".\r\nQUIT\r\n",
      "..\r\n...\r\n.x\r\n.\r\n",
      "a\r\r\nb\rc\r\n\r\n.\r\nMAIL FROM:<x>\r\n",
      "a\n.\nb\n.\r\nc\r\n.\n.\r\n.\r\nQUIT\r\n",
      "a\r\n.\r\r\n\r\r\n.\r\r\n.\r\nRSET\r\n",
      "x\r.\r\n.\r\n",
      "\xff\0\x80\r\n\0.\r\n.\r\n"s,
      "no end here\r\n.",
      "no end here\r\n.\r",
  };
  for (const std::string& in : strict_inputs) {
    INFO("strict: " << Catch::Detail::stringify(in));
    check_every_split(in, true);
  }
  const std::string lax_inputs[] = {
      "a\n.\nQUIT\n",
      "a\n..\n.\r\nQUIT\n",
      "a\r\n.x\n.\r\r\n.\n",
  };
  for (const std::string& in : lax_inputs) {
    INFO("lax: " << Catch::Detail::stringify(in));
    check_every_split(in, false);
  }
}

TEST_CASE("DataDecoder: feed() holds back at most a CR and a '.'", "[data_codec]") {
  StringSink out;
  WireWriter w(out);
  SECTION("a CR at the end may be the start of CRLF") {
    DataDecoder d;
    CHECK(d.feed("abc\r", false, w) == 3);
    CHECK(out.s == "abc");
  }
  SECTION("a '.' at a line start may be the end of data") {
    DataDecoder d;
    CHECK(d.feed("abc\r\n.", false, w) == 5);
    CHECK(d.feed(".\r", false, w) == 0);
    CHECK_FALSE(d.done());
  }
  SECTION("at EOF nothing is held back") {
    DataDecoder d;
    CHECK(d.feed("abc\r\n.\r", true, w) == 7);
    CHECK_FALSE(d.done());
  }
}

TEST_CASE("DataDecoder::size counts CRLF-ended, unstuffed octets", "[data_codec]") {
  SECTION("CRLF lines") {
    CHECK(decode_whole("abc\r\n\r\n.\r\n").size == 7);
  }
  SECTION("a stuffed dot counts once") {
    CHECK(decode_whole("..x\r\n.\r\n").size == 4);
  }
  SECTION("a bare LF counts as CRLF") {
    CHECK(decode_whole("abc\n.\n", false).size == 5);
    CHECK(decode_whole("abc\n\r\n.\r\n").size == 7);
  }
  SECTION("a bare CR inside a line is one octet") {
    CHECK(decode_whole("a\rb\r\n.\r\n").size == 5);
  }
  SECTION("the end of data does not count") {
    CHECK(decode_whole(".\r\n").size == 0);
  }
}

TEST_CASE("DataDecoder plain mode: LF becomes CRLF, dots stuffed, no end of data", "[data_codec]") {
  SECTION("to_wire") {
    CHECK(to_wire("") == "");
    CHECK(to_wire("a\nb\n") == "a\r\nb\r\n");
    CHECK(to_wire("a\r\nb\r\n") == "a\r\nb\r\n");
    CHECK(to_wire(".\n") == "..\r\n");
    CHECK(to_wire(".x\n..y\n") == "..x\r\n...y\r\n");
    CHECK(to_wire("a\n.\nb\n") == "a\r\n..\r\nb\r\n");
    CHECK(to_wire("\n\n") == "\r\n\r\n");
    CHECK(to_wire("a\rb\n") == "a\rb\r\n");
  }
  SECTION("a last line without its terminator gets one") {
    CHECK(to_wire("a\nlast") == "a\r\nlast\r\n");
    CHECK(to_wire(".") == "..\r\n");
  }
  SECTION("decoded in pieces, the end comes only at EOF") {
    Decoded d = decode({"Subject: x\n", "\nbo", "dy\n.", "\nmore"}, true, DataDecoder::Mode::plain, true);
    CHECK(d.done);
    CHECK(d.wire == "Subject: x\r\n\r\nbody\r\n..\r\nmore\r\n");
    CHECK(d.lf == "Subject: x\n\nbody\n.\nmore\n");
    CHECK(d.size == 29);
  }
  SECTION("not done before EOF") {
    Decoded d = decode({"a\n.\n"}, true, DataDecoder::Mode::plain, false);
    CHECK_FALSE(d.done);
    CHECK(d.used == 4);
  }
}

TEST_CASE("WireWriter stuffs a leading dot however the line arrives", "[data_codec]") {
  StringSink out;
  WireWriter w(out);
  w.text("");
  w.text(".");
  w.text(".a");
  w.end_of_line();
  w.text("b");
  w.text(".");
  w.end_of_line();
  w.end_of_line();
  w.text(".");
  w.end_of_line();
  CHECK(out.s == "...a\r\nb.\r\n\r\n..\r\n");
}

TEST_CASE("LfWriter writes lines as received with LF", "[data_codec]") {
  StringSink out;
  LfWriter w(out);
  w.text(".a");
  w.text("b\r");
  w.end_of_line();
  w.end_of_line();
  CHECK(out.s == ".ab\r\n\n");
}

TEST_CASE("TeeSink sends every line to both sinks", "[data_codec]") {
  StringSink a, b;
  WireWriter wa(a);
  LfWriter lb(b);
  TeeSink tee(wa, lb);
  DataDecoder d;
  CHECK(d.feed("x\r\n..y\r\n.\r\n", false, tee) == 11);
  CHECK(a.s == "x\r\n..y\r\n");
  CHECK(b.s == "x\n.y\n");
}

TEST_CASE("DataDecoder agrees with a line-by-line reference on random input", "[data_codec]") {
  // Inputs made of the octets that matter ('.', CR, LF) and one of text,
  // each decoded whole, byte by byte, and in two random pieces.
  std::mt19937 rng(20240601);
  const char alphabet[] = {'.', '\r', '\n', 'a'};
  int ended = 0;
  for (int round = 0; round < 20000; ++round) {
    const bool strict = round % 2 == 0;
    std::string in;
    const std::size_t len = rng() % 16;
    for (std::size_t i = 0; i < len; ++i) in += alphabet[rng() % 4];
    in += strict ? "\r\n.\r\nQUIT\r\n" : "\n.\nQUIT\n";  // always an end of data somewhere
    INFO((strict ? "strict: " : "lax: ") << Catch::Detail::stringify(in));
    const Reference want = reference(in, strict);
    REQUIRE(want.done);
    ended += want.used < in.size() - 6 ? 1 : 0;
    const Decoded whole = decode_whole(in, strict);
    REQUIRE(whole.done);
    REQUIRE(whole.used == want.used);
    REQUIRE(whole.wire == want.wire);
    REQUIRE(whole.lf == want.lf);
    std::vector<std::string> bytes;
    for (char c : in) bytes.emplace_back(1, c);
    const Decoded by_byte = decode(bytes, strict);
    REQUIRE(by_byte.used == want.used);
    REQUIRE(by_byte.wire == want.wire);
    const std::size_t k = rng() % (in.size() + 1);
    const Decoded two = decode({in.substr(0, k), in.substr(k)}, strict);
    REQUIRE(two.used == want.used);
    REQUIRE(two.wire == want.wire);
    REQUIRE(two.lf == want.lf);
  }
  CHECK(ended > 100);  // the random part itself held an end of data often enough
}
