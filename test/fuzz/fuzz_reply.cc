// fuzz_reply.cc - libFuzzer target: replies, REASON, header blocks, the hook's argv
//
// DESCRIPTION
//   The whole input is given to each of these modules in turn (its first
//   octets also choose a reply code and split points):
//   - smtp_reply.h: the input cut at LF into reply lines as the next hop
//     would send them, parsed with parse_reply_line() and gathered into
//     replies as NextHop::read_reply() does; and Reply values built
//     directly, with any code from 200 to 599 and raw lines holding CR, LF
//     and NUL. render() must write only SMTP reply lines: "NNN-" then
//     "NNN " with the reply's own code, printable text, CRLF, an enhanced
//     status code of the class on each line; summary() one line.
//     enhanced_code_length() and reply_code_length() only report what is
//     there.
//   - reason.h: LastLine fed in random splits keeps the same line as when
//     fed whole, which is the one an independent reading of the rule
//     gives: printable ASCII, no blank at either end, at most 200
//     characters. reason_reply() for reject (5) and defer (4) renders one
//     line of the verdict's class, never 421, both from that line and from
//     the raw input.
//   - header_block.h: a block that is accepted comes out as CRLF lines with
//     no bare LF, "Name:" or continuation lines, and, followed by ".\r\n"
//     and decoded as the next hop would, gives back exactly its lines and
//     no early end of data; a refusal says why.
//   - hook_argv.h: split_words() never returns an empty list; every word
//     list, quoted back with '...' or "...", splits to the same words;
//     after check_macros(), expand() gives what a reference expansion
//     gives: each macro replaced by its value, one word per recipient for a
//     word with ${recipient}.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.h"
#include "spoolgate/bounds.h"
#include "spoolgate/data_codec.h"
#include "spoolgate/header_block.h"
#include "spoolgate/hook_argv.h"
#include "spoolgate/reason.h"
#include "spoolgate/smtp_reply.h"

using namespace spoolgate;
using spoolgate::fuzz::show;
using spoolgate::fuzz::within;

namespace {

bool printable(char c) { return static_cast<unsigned char>(c) >= 32 && static_cast<unsigned char>(c) != 127; }

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  for (;;) {
    std::size_t i = s.find(sep);
    out.push_back(s.substr(0, i));
    if (i == std::string_view::npos) return out;
    s.remove_prefix(i + 1);
  }
}

// check_rendered - `out` is `r` as SMTP reply lines and nothing else
void check_rendered(const Reply& r, const std::string& out) {
  const std::size_t want = r.lines.empty() ? 1 : r.lines.size();
  char code[8];
  std::snprintf(code, sizeof code, "%03d", r.code);
  std::size_t pos = 0, n = 0;
  while (pos < out.size()) {
    std::size_t end = out.find("\r\n", pos);
    FUZZ_CHECK(end != std::string::npos, "rendered reply does not end with CRLF: " + show(out));
    std::string_view line = std::string_view(out).substr(pos, end - pos);
    ++n;
    FUZZ_CHECK(line.size() >= 4 && line.substr(0, 3) == code, "rendered line without its code: " + show(line));
    FUZZ_CHECK(line[3] == (n < want ? '-' : ' '), "rendered line with the wrong separator: " + show(line));
    for (char c : line) FUZZ_CHECK(printable(c), "control character in a rendered reply: " + show(line));
    const int klass = r.code / 100;
    if (klass == 2 || klass == 4 || klass == 5) {
      std::string_view text = line.substr(4);
      FUZZ_CHECK(enhanced_code_length(text) > 0 && text[0] - '0' == klass,
                 "rendered line without an enhanced code of its class: " + show(line));
      FUZZ_CHECK(parse_reply_line(line).has_value(), "rendered line does not parse: " + show(line));
    }
    pos = end + 2;
  }
  FUZZ_CHECK(n == want, "rendered reply has " + std::to_string(n) + " lines, not " + std::to_string(want));
  std::string summary = r.summary();
  for (char c : summary) FUZZ_CHECK(printable(c), "control character in a reply summary: " + show(summary));
}

// fuzz_replies - lines as the next hop sends them, and Reply values built directly
void fuzz_replies(std::string_view in, int code) {
  for (std::string_view text : split(in, '\n')) {
    FUZZ_CHECK(enhanced_code_length(text) <= text.size(), "enhanced code past the end");
    if (std::size_t n = enhanced_code_length(text)) {
      FUZZ_CHECK(n >= 5 && n <= 9 && (n == text.size() || text[n] == ' '), "enhanced code: " + show(text));
      FUZZ_CHECK(text[0] == '2' || text[0] == '4' || text[0] == '5', "enhanced code class: " + show(text));
    }
    if (std::size_t n = reply_code_length(text)) {
      FUZZ_CHECK(n == 3 && text[0] >= '2' && text[0] <= '5' && (text.size() == 3 || text[3] == ' '),
                 "reply code: " + show(text));
    }
  }

  // NextHop::read_reply: lines of one code, "NNN-" until "NNN "
  Reply reply;
  for (std::string_view raw : split(in, '\n')) {
    if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
    std::optional<ReplyLine> p = parse_reply_line(raw);
    if (!p) {
      reply = Reply();
      continue;
    }
    FUZZ_CHECK(p->code >= 100 && p->code <= 599 && raw.substr(0, 3) == std::to_string(p->code), "reply code parse");
    FUZZ_CHECK(within(p->text, raw), "reply text not a piece of the line");
    FUZZ_CHECK(raw.size() == 3 || raw[3] == (p->more ? '-' : ' '), "reply continuation: " + show(raw));
    if (reply.code != 0 && reply.code != p->code) reply = Reply();
    reply.code = p->code;
    reply.lines.emplace_back(p->text);
    if (!p->more || reply.lines.size() >= kMaxReplyLines) {
      check_rendered(reply, reply.render());
      reply = Reply();
    }
  }

  // any code of class 2 to 5, any text: CR, LF, NUL and all
  Reply direct;
  direct.code = code;
  check_rendered(direct, direct.render());
  for (std::string_view raw : split(in, '\n')) {
    if (direct.lines.size() >= kMaxReplyLines) break;
    direct.lines.emplace_back(raw);
  }
  check_rendered(direct, direct.render());
  Reply one;
  one.code = code;
  one.lines.emplace_back(in);
  check_rendered(one, one.render());
  Reply made = Reply::make(code, "", in);
  check_rendered(made, made.render());
}

// reference_last_line - REASON per reason.h, read independently
std::string reference_last_line(std::string_view in) {
  std::string last;
  for (std::string_view raw : split(in, '\n')) {
    std::string line;
    for (char c : raw) {
      if (c == '\t') c = ' ';
      unsigned char u = static_cast<unsigned char>(c);
      if (u >= 32 && u <= 126) line += c;
    }
    line.erase(0, line.find_first_not_of(' ') == std::string::npos ? line.size() : line.find_first_not_of(' '));
    if (line.size() > kMaxReasonChars) line.resize(kMaxReasonChars);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    if (!line.empty()) last = line;
  }
  return last;
}

void check_reason_reply(std::string_view reason, int klass) {
  Reply r = klass == 5 ? reason_reply(reason, 5, 550, "5.7.1", "Message content rejected")
                       : reason_reply(reason, 4, 451, "4.7.1", "Try again later");
  FUZZ_CHECK(r.klass() == klass && r.code != 421,
             "reason_reply code " + std::to_string(r.code) + " for " + show(reason));
  FUZZ_CHECK(r.lines.size() == 1, "reason_reply is not one line");
  std::string out = r.render();
  FUZZ_CHECK(out.find("\r\n") == out.size() - 2, "reason reply is not a single line: " + show(out));
  check_rendered(r, out);
  FUZZ_CHECK(out[4] - '0' == klass, "reason reply's enhanced code of another class: " + show(out));
}

// fuzz_reason - LastLine in splits, then reason_reply
void fuzz_reason(std::string_view in, std::string_view seed) {
  LastLine whole;
  whole.feed(in);
  whole.finish();
  LastLine pieces;
  fuzz::Splitter splitter(seed);
  for (std::size_t i = 0; i < in.size();) {
    std::size_t n = std::min(splitter.next(), in.size() - i);
    pieces.feed(in.substr(i, n));
    i += n;
  }
  pieces.finish();
  const std::string& last = whole.last();
  FUZZ_CHECK(pieces.last() == last, "LastLine depends on how its input was cut: " + show(in));
  FUZZ_CHECK(last == reference_last_line(in), "LastLine differs from the reference: " + show(last));
  FUZZ_CHECK(last.size() <= kMaxReasonChars, "REASON too long");
  for (char c : last) {
    unsigned char u = static_cast<unsigned char>(c);
    FUZZ_CHECK(u >= 32 && u <= 126, "REASON not printable ASCII: " + show(last));
  }
  FUZZ_CHECK(last.empty() || (last.front() != ' ' && last.back() != ' '), "REASON not trimmed: " + show(last));
  for (int klass : {4, 5}) {
    check_reason_reply(last, klass);
    check_reason_reply(in, klass);  // even unsanitized text stays one line
  }
}

// fuzz_header_block - accepted blocks reach the next hop as exactly their lines
void fuzz_header_block(std::string_view in) {
  std::string error;
  std::optional<std::string> wire = header_block_to_wire(in, &error);
  if (!wire) {
    FUZZ_CHECK(!error.empty(), "header block refused without a reason");
    return;
  }
  const std::string& w = *wire;
  FUZZ_CHECK(w.empty() == in.empty(), "header block lost or invented: " + show(in));
  for (std::size_t i = w.find('\n'); i != std::string::npos; i = w.find('\n', i + 1))
    FUZZ_CHECK(i > 0 && w[i - 1] == '\r', "bare LF in a header block: " + show(w));
  FUZZ_CHECK(w.empty() || w.compare(w.size() - 2, 2, "\r\n") == 0, "header block does not end with CRLF");

  // the lines as given (LF or CRLF ends), each a field or a continuation
  std::string expected;
  std::string_view rest = in;
  bool first = true;
  while (!rest.empty()) {
    std::size_t nl = rest.find('\n');
    std::string_view line = rest.substr(0, nl);
    rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    FUZZ_CHECK(!line.empty(), "empty line accepted in a header block");
    for (char c : line) FUZZ_CHECK(printable(c) || c == '\t', "control character accepted: " + show(line));
    if (line.front() == ' ' || line.front() == '\t') {
      FUZZ_CHECK(!first, "continuation accepted before the first field: " + show(in));
    } else {
      std::size_t colon = line.find(':');
      FUZZ_CHECK(colon != std::string_view::npos && colon > 0, "field without a name accepted: " + show(line));
      for (char c : line.substr(0, colon))
        FUZZ_CHECK(c > 32 && c < 127, "bad field name accepted: " + show(line));
    }
    first = false;
    expected.append(line);
    expected += '\n';
  }

  // what the next hop reads: the same lines, and the data does not end early
  StringSink lf_out;
  LfWriter lf(lf_out);
  DataDecoder d(DataDecoder::Mode::smtp_data, true);
  const std::string again = w + ".\r\n";
  std::size_t used = d.feed(again, true, lf);
  FUZZ_CHECK(d.done() && used == again.size(), "header block ends the data early: " + show(w));
  FUZZ_CHECK(lf_out.s == expected, "header block lines change on the wire: " + show(in));
}

// sh_quote - one word for split_words(), in single or double quotes
std::string sh_quote(const std::string& w, bool double_quotes) {
  std::string out;
  if (double_quotes) {
    out = "\"";
    for (char c : w) {
      if (c == '$' || c == '`' || c == '"' || c == '\\') out += '\\';
      out += c;
    }
    return out + "\"";
  }
  out = "'";
  for (char c : w) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// reference_expand - one word, macros replaced by a scan that tries every
// name at every "$" (expand() looks for "${" then "}" instead)
std::string reference_expand(const std::string& w, const MacroValues& v, const std::string& recipient) {
  const std::pair<std::string_view, const std::string*> macros[] = {
      {"${sender}", &v.sender},         {"${recipient}", &recipient},         {"${client_address}", &v.client_address},
      {"${client_hostname}", &v.client_hostname}, {"${client_helo}", &v.client_helo}, {"${queue_id}", &v.queue_id},
      {"${size}", &v.size}};
  std::string out;
  for (std::size_t i = 0; i < w.size();) {
    bool replaced = false;
    for (const auto& [name, value] : macros) {
      if (w.compare(i, name.size(), name) == 0) {
        out += *value;
        i += name.size();
        replaced = true;
        break;
      }
    }
    if (!replaced) out += w[i++];
  }
  return out;
}

// fuzz_hook_argv - split_words, check_macros, expand
void fuzz_hook_argv(std::string_view in) {
  std::vector<std::string> words;
  std::string error;
  if (!split_words(in, &words, &error)) {
    FUZZ_CHECK(!error.empty(), "split_words failed without a reason");
    return;
  }
  FUZZ_CHECK(!words.empty(), "split_words returned no word for " + show(in));
  for (bool dq : {false, true}) {
    std::string quoted;
    for (const std::string& w : words) quoted += (quoted.empty() ? "" : " ") + sh_quote(w, dq);
    std::vector<std::string> back;
    FUZZ_CHECK(split_words(quoted, &back, &error) && back == words, "quoted words split differently: " + show(quoted));
  }
  if (!check_macros(words, &error)) {
    FUZZ_CHECK(!error.empty(), "check_macros failed without a reason");
    return;
  }
  MacroValues v;
  v.sender = "sender@example.com";
  v.recipients = {"r1@example.net", "${sender}", ""};  // a value is never expanded again
  v.client_address = "192.0.2.1";
  v.client_hostname = "client.example";
  v.client_helo = "helo.example";
  v.queue_id = "4ABC123";
  v.size = "1234";
  std::vector<std::string> argv = expand(words, v);
  std::vector<std::string> want;
  for (const std::string& w : words) {
    if (w.find("${recipient}") == std::string::npos) {
      want.push_back(reference_expand(w, v, ""));
      continue;
    }
    for (const std::string& r : v.recipients) want.push_back(reference_expand(w, v, r));
  }
  FUZZ_CHECK(argv == want, "expand differs from the reference for " + show(in));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  const int code = 200 + (size >= 2 ? (data[0] * 256 + data[1]) % 400 : 50);
  fuzz_replies(in, code);
  fuzz_reason(in, in.substr(0, 8));
  fuzz_header_block(in);
  fuzz_hook_argv(in);
  return 0;
}
