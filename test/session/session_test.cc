// session_test.cc - the built binary, run as spawn(8) runs it, against a scripted next hop
//
// Every test runs spoolgate with a socketpair on fd 0, 1 and 2 and checks
// both sides: what the client was answered (and that nothing but SMTP
// replies ever reached the socket), and what the next hop received.
#include <sys/stat.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "fake_next_hop.h"
#include "harness.h"

using namespace spoolgate::test;

namespace {

std::string escape(const std::string& s) {
  std::string out;
  for (char c : s) out += c == '\r' ? std::string("\\r") : c == '\n' ? std::string("\\n") : std::string(1, c);
  return out;
}

/// The reply lines that answer the commands after the greeting and EHLO.
std::vector<std::string> replies_after_ehlo(const std::string& out) {
  std::vector<std::string> all = lines(out), v;
  bool in_ehlo = false, ehlo_done = false;
  for (std::size_t i = 1; i < all.size(); ++i) {
    if (!ehlo_done) {
      if (all[i].rfind("250-", 0) == 0) {
        in_ehlo = true;
        continue;
      }
      if (in_ehlo || all[i].rfind("250 ", 0) == 0) {
        ehlo_done = true;
        continue;
      }
    }
    v.push_back(all[i]);
  }
  return v;
}

const std::string kBody =
    "From: a@example.com\r\nTo: b@example.net\r\nSubject: test\r\n\r\nHello.\r\n";

}  // namespace

// ---------------------------------------------------------------- greeting

TEST_CASE("greets only after the next hop answered EHLO, and mirrors its extensions", "[greeting]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--hostname", "filter.example", "--max-size", "5000000"}),
                              crlf("EHLO c.example\nQUIT\n")});
  REQUIRE(r.status == 0);
  std::vector<std::string> l = lines(r.output);
  REQUIRE(l.size() >= 2);
  CHECK(l[0] == "220 filter.example ESMTP spoolgate");
  CHECK(contains(r.output, "250-filter.example\r\n"));
  CHECK(contains(r.output, "250-PIPELINING\r\n"));
  CHECK(contains(r.output, "250-SIZE 5000000\r\n"));  // the smaller of 5000000 and 10240000
  CHECK(contains(r.output, "250-8BITMIME\r\n"));
  CHECK(contains(r.output, "250-DSN\r\n"));
  CHECK(contains(r.output, "250-SMTPUTF8\r\n"));
  CHECK(contains(r.output, "ENHANCEDSTATUSCODES\r\n"));
  CHECK(contains(r.output, "XFORWARD NAME ADDR PORT PROTO HELO IDENT SOURCE\r\n"));
  for (const char* never : {"STARTTLS", "CHUNKING", "AUTH", "XCLIENT", "VRFY", "ETRN"})
    CHECK_FALSE(contains(r.output, std::string("250-") + never));
  CHECK(contains(r.output, "221 2.0.0"));
  CHECK(only_replies(r.output));
  // the next hop heard EHLO with our name before we greeted
  REQUIRE(!hop.commands().empty());
  CHECK(hop.commands()[0] == "EHLO filter.example");
}

TEST_CASE("announces only the extensions the next hop has", "[greeting]") {
  Sandbox box;
  FakeNextHop::Config c;
  c.ehlo = {"bare.example", "PIPELINING"};
  FakeNextHop hop(c);
  Run r = run_spoolgate(box, {hop_args(hop, {"--max-size", "1000"}), crlf("EHLO c.example\nQUIT\n")});
  CHECK(r.status == 0);
  for (const char* ext : {"SIZE", "8BITMIME", "DSN", "SMTPUTF8"}) CHECK_FALSE(contains(r.output, ext));
  CHECK(contains(r.output, "250-PIPELINING\r\n"));
  CHECK(contains(r.output, "ENHANCEDSTATUSCODES"));
}

TEST_CASE("SIZE takes the next hop's limit when --max-size is unset", "[greeting]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop), crlf("EHLO c.example\nQUIT\n")});
  CHECK(contains(r.output, "250-SIZE 10240000\r\n"));
}

TEST_CASE("a next hop that refuses connections gets 421 4.3.0 and exit 75", "[greeting]") {
  Sandbox box;
  FakeNextHop::Config c;
  c.listen = false;
  FakeNextHop hop(c);
  Run r = run_spoolgate(box, {hop_args(hop, {"--hostname", "filter.example"}), crlf("EHLO c.example\nQUIT\n")});
  CHECK(r.output == "421 4.3.0 filter.example next hop unavailable\r\n");
  CHECK(r.status == 75);
}

TEST_CASE("a next hop that is not ready gets 421 4.3.0", "[greeting]") {
  Sandbox box;
  for (std::string greeting : {"554 5.3.2 not today", "CLOSE", "RAW:garbage\r\n"}) {
    FakeNextHop::Config c;
    c.greeting = greeting;
    FakeNextHop hop(c);
    Run r = run_spoolgate(box, {hop_args(hop), crlf("EHLO c.example\nQUIT\n")});
    INFO(greeting);
    CHECK(r.output == "421 4.3.0 localhost next hop unavailable\r\n");
    CHECK(r.status == 75);
  }
}

TEST_CASE("the next hop given as --next-hop, and localhost tried on every address", "[greeting]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {{"--next-hop", "localhost:" + std::to_string(hop.port())}, crlf("EHLO c\nQUIT\n")});
  CHECK(r.status == 0);
  CHECK(lines(r.output)[0] == "220 localhost ESMTP spoolgate");
}

// ---------------------------------------------------------------- transfer

TEST_CASE("a message reaches the next hop byte for byte", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  std::string body = "Subject: bytes\r\n\r\n";
  body += "8-bit: \xe9\xe8\xe0\xfc\xff\x80\r\n";
  body += std::string("NUL: a\0b\0c", 10) + "\r\n";
  body += ".starts with a dot\r\n";
  body += "..two dots\r\n";
  body += ".\r\n";  // a lone dot line, stuffed on the wire
  body += "bare CR \r inside\r\n";
  body += "ends with CR\r\r\n";
  body += "trailing spaces   \r\n\tTab\r\n\r\n\r\n";
  body += std::string(100000, 'x') + "\r\n";
  body += "last line\r\n";
  std::string wire = transaction(body);
  Run r = run_spoolgate(box, {hop_args(hop), wire});
  REQUIRE(r.status == 0);
  REQUIRE(hop.messages().size() == 1);
  // what the client sent between DATA and the final ".", exactly
  std::size_t start = wire.find("DATA\r\n") + 6;
  std::size_t end = wire.rfind(".\r\nQUIT");
  CHECK(hop.messages()[0] == wire.substr(start, end - start));
  CHECK(contains(r.output, "250 2.0.0 Ok: queued as FAKE1\r\n"));
  CHECK(only_replies(r.output));
}

TEST_CASE("an empty message and a message of one empty line pass", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n.\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\n"
                   "DATA\r\n\r\n.\r\nQUIT\r\n";
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(hop.messages().size() == 2);
  CHECK(hop.messages()[0].empty());
  CHECK(hop.messages()[1] == "\r\n");
}

TEST_CASE("MAIL and RCPT reach the next hop as sent, parameters and letter case included", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in =
      "ehlo c.example\r\n"
      "mail FROM:<sender@example.com> size=236 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=bench-envid-2\r\n"
      "rcpt TO:<rcpt2@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;original@example.net\r\n"
      "data\r\nHello\r\n.\r\nquit\r\n";
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(r.status == 0);
  std::vector<std::string> c = hop.commands();
  CHECK(std::find(c.begin(), c.end(),
                  "mail FROM:<sender@example.com> size=236 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=bench-envid-2") !=
        c.end());
  CHECK(std::find(c.begin(), c.end(), "rcpt TO:<rcpt2@example.net> NOTIFY=FAILURE,DELAY ORCPT=rfc822;original@example.net") !=
        c.end());
  CHECK(hop.messages().size() == 1);
}

TEST_CASE("several transactions per connection, RSET resets both sides", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = crlf(
      "EHLO c\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nRSET\n"
      "MAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\none\n.\n"
      "MAIL FROM:<e@f>\nRCPT TO:<g@h>\nRCPT TO:<i@j>\nDATA\ntwo\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(r.status == 0);
  REQUIRE(hop.messages().size() == 2);
  CHECK(hop.messages()[0] == "one\r\n");
  CHECK(hop.messages()[1] == "two\r\n");
  CHECK(hop.count("RSET") >= 1);
  CHECK(replies_after_ehlo(r.output) ==
        std::vector<std::string>{"250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.0.0 Ok", "250 2.1.0 Ok", "250 2.1.5 Ok",
                                 "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as FAKE1",
                                 "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok",
                                 "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as FAKE2",
                                 "221 2.0.0 Bye"});
}

TEST_CASE("a transcript with bare LF line ends, as typed in an editor, works", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = "EHLO c\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nSubject: x\n\nbody\n..dot\n.\nQUIT\n";
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(r.status == 0);
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: x\r\n\r\nbody\r\n..dot\r\n");  // CRLF out, dot kept stuffed
}

TEST_CASE("a message over --max-size gets 552 5.3.4 and never reaches the next hop", "[transfer]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--max-size", "1000"}),
                              transaction(std::string(2000, 'x') + "\r\n") });
  CHECK(contains(r.output, "552 5.3.4"));
  CHECK(hop.messages().empty());
  CHECK(hop.count("RSET") == 1);
  SECTION("and SIZE= over the limit is refused at MAIL") {
    Sandbox box2;
    FakeNextHop hop2;
    Run r2 = run_spoolgate(box2, {hop_args(hop2, {"--max-size", "1000"}),
                                  crlf("EHLO c\nMAIL FROM:<a@b> SIZE=5000\nQUIT\n")});
    CHECK(replies_after_ehlo(r2.output)[0].rfind("552 5.3.4", 0) == 0);
    CHECK(hop2.count("MAIL") == 0);
  }
}

// ---------------------------------------------------------------- smuggling

TEST_CASE("bare-LF end-of-data variants do not end the data", "[smuggling]") {
  const char* variants[] = {"\n.\n", "\n.\r\n", "\r\n.\n", "\r.\r", "\r\n.\r", "\r\r\n.\r\r\n", "\r\n.\r\r\n"};
  for (const char* v : variants) {
    Sandbox box;
    FakeNextHop hop;
    std::string smuggled = std::string("Subject: outer\r\n\r\nhello") + v +
                           "MAIL FROM:<evil@example.com>\r\nRCPT TO:<victim@example.net>\r\nDATA\r\n"
                           "Subject: smuggled\r\n";
    std::string in = "EHLO c\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\n" + smuggled + "\r\n.\r\nQUIT\r\n";
    Run r = run_spoolgate(box, {hop_args(hop), in});
    INFO("variant " << escape(v));
    REQUIRE(hop.messages().size() == 1);
    const std::string m = hop.messages()[0];
    // one message, holding the would-be commands as text
    CHECK(contains(m, "MAIL FROM:<evil@example.com>\r\n"));
    CHECK(contains(m, "Subject: smuggled\r\n"));
    CHECK(hop.count("MAIL") == 1);
    // every line the next hop got ends with CRLF, no bare LF anywhere
    for (std::size_t i = 0; i < m.size(); ++i)
      if (m[i] == '\n') CHECK((i > 0 && m[i - 1] == '\r'));
    CHECK(replies_after_ehlo(r.output).size() == 5);  // MAIL RCPT 354 250 221
  }
}

// ---------------------------------------------------------------- pipelining

TEST_CASE("a whole pipelined transcript gets its replies in order, in few writes", "[pipelining]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = crlf(
      "EHLO c\nXFORWARD NAME=localhost ADDR=127.0.0.1 PORT=38128\n"
      "XFORWARD PROTO=ESMTP HELO=client.example.org IDENT=7BD3AA72C72 SOURCE=LOCAL\n"
      "MAIL FROM:<a@b> SIZE=100\nRCPT TO:<c@d>\nRCPT TO:<e@f>\nDATA\nSubject: s\n\nb\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(r.status == 0);
  CHECK(replies_after_ehlo(r.output) ==
        std::vector<std::string>{"250 2.0.0 Ok", "250 2.0.0 Ok", "250 2.1.0 Ok", "250 2.1.5 Ok", "250 2.1.5 Ok",
                                 "354 End data with <CR><LF>.<CR><LF>", "250 2.0.0 Ok: queued as FAKE1",
                                 "221 2.0.0 Bye"});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: s\r\n\r\nb\r\n");
}

TEST_CASE("data pipelined behind DATA is message data, and a command behind the dot is a command", "[pipelining]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = crlf("EHLO c\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nNOOP\nRSET\n.\nNOOP\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "NOOP\r\nRSET\r\n");
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 6);
  CHECK(rep[4] == "250 2.0.0 Ok");
  CHECK(rep[5] == "221 2.0.0 Bye");
}

TEST_CASE("input split into single bytes gives the same result", "[pipelining]") {
  // spoolgate must not depend on how the client's writes are cut into reads
  Sandbox box;
  FakeNextHop hop;
  std::string in = transaction("Subject: x\r\n\r\n.dot\r\nline\r\n");
  Run whole = run_spoolgate(box, {hop_args(hop), in});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: x\r\n\r\n..dot\r\nline\r\n");
  CHECK(whole.status == 0);
}

// ---------------------------------------------------------------- replies

TEST_CASE("the next hop's rejections are relayed, with an enhanced code added when missing", "[replies]") {
  Sandbox box;
  FakeNextHop::Config c;
  c.script = [](const std::string& verb, const std::string& line, int) -> std::optional<std::string> {
    if (verb == "MAIL" && line.find("bad@") != std::string::npos) return "553 5.7.1 <bad@x>: Sender address rejected";
    if (verb == "RCPT" && line.find("unknown@") != std::string::npos) return "550 User unknown";
    if (verb == "RCPT" && line.find("later@") != std::string::npos) return "450 4.2.0 <later@x>: greylisted";
    if (verb == "RCPT" && line.find("multi@") != std::string::npos) return "550-first line\r\n550 second line";
    return std::nullopt;
  };
  FakeNextHop hop(c);
  std::string in = crlf(
      "EHLO c\nMAIL FROM:<bad@x>\nMAIL FROM:<good@x>\nRCPT TO:<unknown@x>\nRCPT TO:<later@x>\n"
      "RCPT TO:<multi@x>\nDATA\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  CHECK(replies_after_ehlo(r.output) ==
        std::vector<std::string>{"553 5.7.1 <bad@x>: Sender address rejected", "250 2.1.0 Ok",
                                 "550 5.0.0 User unknown", "450 4.2.0 <later@x>: greylisted",
                                 "550-5.0.0 first line", "550 5.0.0 second line",
                                 "554 5.5.1 Error: no valid recipients", "221 2.0.0 Bye"});
  CHECK(only_replies(r.output));
  CHECK(hop.count("DATA") == 0);
}

TEST_CASE("every reply of SPEC's table for bad input", "[replies]") {
  Sandbox box;
  FakeNextHop hop;
  struct Case {
    std::string in;
    std::string reply_prefix;
  } cases[] = {
      {"FOO bar", "502 5.5.2"},
      {"STARTTLS", "502 5.5.2"},
      {"AUTH PLAIN AAAA", "502 5.5.2"},
      {"BDAT 10 LAST", "502 5.5.2"},
      {"MAIL FROM:<a@b>", "503 5.5.1"},  // before EHLO
      {"EHLO", "501 5.5.4"},
      {"HELO", "501 5.5.4"},
      {"VRFY", "501 5.5.4"},
      {"VRFY postmaster", "252 "},
      {"HELP", "214 "},
      {"NOOP", "250 2.0.0"},
      {"RCPT TO:<a@b>", "503 5.5.1"},
      {"DATA", "503 5.5.1"},
      {"RSET", "250 2.0.0"},
      {std::string(3000, 'A'), "500 5.5.2"},
  };
  std::string in;
  for (const Case& c : cases) in += c.in + "\r\n";
  in += "QUIT\r\n";
  Run r = run_spoolgate(box, {hop_args(hop), in});
  std::vector<std::string> l = lines(r.output);
  REQUIRE(l.size() == std::size(cases) + 2);
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    INFO(cases[i].in.substr(0, 40));
    CHECK(l[i + 1].rfind(cases[i].reply_prefix, 0) == 0);
  }
  CHECK(l.back() == "221 2.0.0 Bye");
  CHECK(r.status == 0);
}

TEST_CASE("syntax and sequence inside a transaction", "[replies]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = crlf(
      "EHLO c\nMAIL TO:<a@b>\nMAIL FROM:<a@b\nMAIL FROM:<a@b>\nMAIL FROM:<a@b>\nRCPT FROM:<x@y>\n"
      "RCPT TO:<>\nDATA\nDATA now\nXFORWARD NAME=x\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 10);
  CHECK(rep[0].rfind("501 5.5.4", 0) == 0);  // MAIL TO:
  CHECK(rep[1].rfind("501 5.1.7", 0) == 0);  // unterminated <
  CHECK(rep[2] == "250 2.1.0 Ok");
  CHECK(rep[3].rfind("503 5.5.1", 0) == 0);  // nested MAIL
  CHECK(rep[4].rfind("501 5.5.4", 0) == 0);  // RCPT FROM:
  CHECK(rep[5].rfind("501 5.1.3", 0) == 0);  // RCPT TO:<>
  CHECK(rep[6].rfind("554 5.5.1", 0) == 0);  // DATA without recipients
  CHECK(rep[7].rfind("501 5.5.4", 0) == 0);  // DATA with an argument
  CHECK(rep[8].rfind("503 5.5.1", 0) == 0);  // XFORWARD in a transaction
}

TEST_CASE("a command for the next hop with a control character in it is refused", "[replies]") {
  // a next hop that ended lines at a bare CR would read two commands
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop), "EHLO c\r\nMAIL FROM:<a@b> X=1\rRCPT TO:<c@d>\r\nMAIL FROM:<a@b>\r\n"
                                             "RCPT TO:<c@d> NOTIFY=\x01\r\nXFORWARD NAME=a\x7f\r\nQUIT\r\n"});
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 5);
  CHECK(rep[0].rfind("501 5.5.2", 0) == 0);
  CHECK(rep[1] == "250 2.1.0 Ok");
  CHECK(rep[2].rfind("501 5.5.2", 0) == 0);
  CHECK(rep[3].rfind("503 5.5.1", 0) == 0);  // XFORWARD inside the transaction is checked first
  CHECK(hop.count("MAIL") == 1);
  CHECK(hop.count("RCPT") == 0);
}

TEST_CASE("a last command without its line end still counts after the message (a manual run)", "[transfer]") {
  // found by fuzz_session: the message must not be taken for abandoned
  Sandbox box;
  FakeNextHop hop;
  RunOptions o{hop_args(hop), "EHLO x\r\nMAIL FROM:<a@b>\r\nRCPT TO:<c@d>\r\nDATA\r\nhi\r\n.\r\nRSET"};
  o.as_pipes = true;
  Run r = run_spoolgate(box, o);
  CHECK(hop.messages().size() == 1);
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 5);
  CHECK(rep[3] == "250 2.0.0 Ok: queued as FAKE1");
  CHECK(rep[4] == "250 2.0.0 Ok");
}

TEST_CASE("too many bad commands end the session with 421", "[replies]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = "EHLO c\r\n";
  for (int i = 0; i < 1000; ++i) in += "BOGUS\r\n";
  Run r = run_spoolgate(box, {hop_args(hop), in});
  std::vector<std::string> l = lines(r.output);
  CHECK(l.back() == "421 4.7.0 localhost Error: too many errors");
  CHECK(l.size() < 40);
  CHECK(r.status == 0);
}

TEST_CASE("a next hop 421 is relayed and ends the session", "[replies]") {
  Sandbox box;
  FakeNextHop::Config c;
  c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "RCPT") return "421 4.3.2 Service shutting down";
    return std::nullopt;
  };
  FakeNextHop hop(c);
  Run r = run_spoolgate(box, {hop_args(hop), transaction(kBody)});
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 2);
  CHECK(rep[1] == "421 4.3.2 Service shutting down");
  CHECK(hop.messages().empty());
}

TEST_CASE("the next hop lost or broken at each step: 421 or 4xx upstream, never 250 or 5xx", "[replies]") {
  struct Fault {
    std::string verb;
    std::string action;
  } faults[] = {{"MAIL", "CLOSE"}, {"RCPT", "CLOSE"}, {"DATA", "CLOSE"},         {"MAIL", "RAW:garbage\r\n"},
                {"RCPT", "RAW:354 what\r\n"}, {"DATA", "RAW:250 2.0.0 huh\r\n"}, {"RCPT", "RAW:" + std::string(5000, '2') + "\r\n"}};
  for (const Fault& f : faults) {
    Sandbox box;
    FakeNextHop::Config c;
    c.script = [f](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
      if (verb == f.verb) return f.action;
      return std::nullopt;
    };
    FakeNextHop hop(c);
    Run r = run_spoolgate(box, {hop_args(hop), transaction(kBody)});
    INFO(f.verb << " " << f.action.substr(0, 30));
    CHECK(only_replies(r.output));
    CHECK(contains(r.output, "\r\n421 4."));
    CHECK_FALSE(contains(r.output, "250 2.0.0 Ok: queued"));
    CHECK(hop.messages().empty());
    CHECK(r.status == 75);
  }
}

TEST_CASE("the next hop lost after the message: 421, never 250", "[replies]") {
  for (std::string action : {"CLOSE", "RAW:garbage\r\n", "RAW:354 again\r\n"}) {
    Sandbox box;
    FakeNextHop::Config c;
    c.on_message = [action](const std::string&, int) -> std::optional<std::string> { return action; };
    FakeNextHop hop(c);
    Run r = run_spoolgate(box, {hop_args(hop), transaction(kBody)});
    INFO(action);
    std::vector<std::string> rep = replies_after_ehlo(r.output);
    REQUIRE(rep.size() == 4);
    CHECK(rep[3].rfind("421 4.", 0) == 0);
    CHECK(r.status == 75);
  }
}

TEST_CASE("the next hop's own reply to the final dot is relayed", "[replies]") {
  for (std::string reply : {"554 5.7.1 rejected by policy", "452 4.3.1 Insufficient system storage",
                            "250 2.0.0 Ok: queued as ABC123"}) {
    Sandbox box;
    FakeNextHop::Config c;
    c.on_message = [reply](const std::string&, int) -> std::optional<std::string> { return reply; };
    FakeNextHop hop(c);
    Run r = run_spoolgate(box, {hop_args(hop), transaction(kBody)});
    std::vector<std::string> rep = replies_after_ehlo(r.output);
    REQUIRE(rep.size() == 5);
    CHECK(rep[3] == reply);
    CHECK(r.status == 0);
  }
}

// ---------------------------------------------------------------- verdicts

namespace {

struct VerdictCase {
  std::vector<std::string> hook_args;  // after the hook path
  std::string hook = "exit-with";
  std::string expect;                  // the reply to the final dot
  bool delivered = false;
};

void check_verdict(const VerdictCase& v, std::vector<std::string> extra = {}) {
  Sandbox box;
  FakeNextHop hop;
  std::string cmd = hook(v.hook);
  for (const std::string& a : v.hook_args) cmd += " '" + a + "'";
  std::vector<std::string> args = {"--hook", cmd, "--hook-timeout", "3"};
  args.insert(args.end(), extra.begin(), extra.end());
  Run r = run_spoolgate(box, {hop_args(hop, args), transaction(kBody)});
  INFO(cmd);
  INFO(box.log());
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 5);
  CHECK(rep[3] == v.expect);
  CHECK(rep[4] == "221 2.0.0 Bye");
  CHECK(hop.messages().size() == (v.delivered ? 1u : 0u));
  CHECK(hop.partial_messages() == 0);
  if (!v.delivered) CHECK(hop.count("RSET") == 1);  // the next hop forgets MAIL and RCPT
  CHECK(only_replies(r.output));
  CHECK(r.status == 0);
}

}  // namespace

TEST_CASE("exit 0 accepts: the next hop's reply to the dot is relayed", "[verdicts]") {
  check_verdict({{"0"}, "exit-with", "250 2.0.0 Ok: queued as FAKE1", true});
}

TEST_CASE("exit 65, 67, 68, 69, 77 reject with 550 5.7.1 REASON", "[verdicts]") {
  for (const char* st : {"65", "67", "68", "69", "77"})
    check_verdict({{st, "virus found: Eicar-Test-Signature"}, "exit-with",
                   "550 5.7.1 virus found: Eicar-Test-Signature"});
  check_verdict({{"65"}, "exit-with", "550 5.7.1 Message content rejected"});
}

TEST_CASE("exit 99 discards: 250 2.0.0 Ok: discarded, nothing downstream", "[verdicts]") {
  check_verdict({{"99"}, "exit-with", "250 2.0.0 Ok: discarded"});
}

TEST_CASE("exit 75 and every other status defer with 451 4.7.1, naming the status without a REASON", "[verdicts]") {
  for (const char* st : {"75", "1", "2", "64", "70", "98", "100", "126", "127", "255"})
    check_verdict({{st}, "exit-with", std::string("451 4.7.1 hook exited ") + st});
  check_verdict({{"75", "scanner busy"}, "exit-with", "451 4.7.1 scanner busy"});
}

TEST_CASE("REASON codes of the verdict's class replace the defaults; others are dropped", "[verdicts]") {
  check_verdict({{"65", "554 5.7.0 spam score too high"}, "exit-with", "554 5.7.0 spam score too high"});
  check_verdict({{"65", "5.7.9 just a status"}, "exit-with", "550 5.7.9 just a status"});
  check_verdict({{"65", "553 only a code"}, "exit-with", "553 5.7.1 only a code"});
  check_verdict({{"65", "450 4.7.1 wrong class"}, "exit-with", "550 5.7.1 wrong class"});
  check_verdict({{"75", "452 4.3.1 out of licences"}, "exit-with", "452 4.3.1 out of licences"});
  check_verdict({{"75", "550 5.7.1 wrong class"}, "exit-with", "451 4.7.1 wrong class"});
  // a 421 would say the session closes; the verdict keeps it open
  check_verdict({{"75", "421 4.3.2 going away"}, "exit-with", "451 4.3.2 going away"});
}

TEST_CASE("REASON is the last non-empty stderr line, printable, at most 200 characters", "[verdicts]") {
  check_verdict({{"65", "first\nsecond\n\n   \n"}, "exit-with", "550 5.7.1 second"});
  check_verdict({{"65", "tab\there \x01\x7f\xe9 ok"}, "exit-with", "550 5.7.1 tab here  ok"});
  check_verdict({{"65", std::string(500, 'r')}, "exit-with", "550 5.7.1 " + std::string(200, 'r')});
  // check mode: stdout when stderr said nothing
  check_verdict({{"65", "", "from stdout"}, "exit-with", "550 5.7.1 from stdout"});
  // a reason can never add a reply line
  check_verdict({{"65", "x\r\n250 2.0.0 injected"}, "exit-with", "550 5.7.1 injected"});
}

TEST_CASE("a hook killed by a signal defers, naming the signal", "[verdicts]") {
  for (auto [sig, n] : {std::pair{"SEGV", 11}, std::pair{"KILL", 9}, std::pair{"ABRT", 6}, std::pair{"TERM", 15}})
    check_verdict({{sig}, "crash", "451 4.7.1 hook killed by signal " + std::to_string(n)});
}

TEST_CASE("a hook that cannot start defers, naming the program", "[verdicts]") {
  check_verdict({{}, "no-such-hook", "451 4.7.1 hook not found: " + hook("no-such-hook")});
  SECTION("a file that is not executable") {
    Sandbox box;
    FakeNextHop hop;
    std::string path = box.file("not-executable");
    write_file(path, "#!/bin/sh\nexit 0\n");
    ::chmod(path.c_str(), 0644);
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", path}), transaction(kBody)});
    CHECK(replies_after_ehlo(r.output)[3] == "451 4.7.1 hook not executable: " + path);
    CHECK(hop.messages().empty());
  }
  SECTION("a bare name not in PATH") {
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", "surely-not-a-program-xyz"}), transaction(kBody)});
    CHECK(replies_after_ehlo(r.output)[3] == "451 4.7.1 hook not found: surely-not-a-program-xyz");
  }
}

TEST_CASE("a hook past --hook-timeout is killed with its children, and the message deferred", "[verdicts]") {
  Sandbox box;
  FakeNextHop hop;
  std::string marker = "300";  // sleeper's grandchild runs "sleep 300"
  int before = count_processes("sleep 300");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("sleeper") + " 30 grandchild", "--hook-timeout", "1"}),
                              transaction(kBody)});
  std::vector<std::string> rep = replies_after_ehlo(r.output);
  REQUIRE(rep.size() == 5);
  CHECK(rep[3] == "451 4.7.1 hook timed out after 1 s");
  CHECK(r.seconds < 10);
  CHECK(hop.messages().empty());
  CHECK(count_processes("sleep 300") == before);
  CHECK(contains(box.log(), "hook=timeout"));
}

TEST_CASE("each hook is spoolgate's own child and leads its own process group; what it leaves dies with spoolgate",
          "[hook]") {
  // One process per hook (vfork + exec), not a guardian fork and then the
  // hook; the HookWatcher, told of each hook's group before the exec, kills
  // what the hooks left behind once spoolgate ends.
  Sandbox box;
  FakeNextHop hop;
  std::string report = box.file("groups");
  std::string seconds = std::to_string(1000 + ::getpid() % 9000);  // a command line of its own
  std::string sleeper = "sleep " + seconds;
  std::string two = transaction(kBody, {"rcpt@example.net"}, "sender@example.com", false) +
                    transaction(kBody).substr(std::string("EHLO client.example.org\r\n").size());
  RunOptions o{hop_args(hop, {"--hook", hook("group-report") + " " + report + " " + seconds}), two};
  pid_t spoolgate = -1;
  o.after_input = [&](int, pid_t pid) { spoolgate = pid; };
  Run r = run_spoolgate(box, o);
  REQUIRE(r.status == 0);
  REQUIRE(hop.messages().size() == 2);
  std::istringstream in(read_file(report));
  long ppid[2] = {}, pgid[2] = {}, pid[2] = {};
  for (int i = 0; i < 2; ++i) in >> ppid[i] >> pgid[i] >> pid[i];
  REQUIRE(in);
  for (int i = 0; i < 2; ++i) {
    CHECK(ppid[i] == spoolgate);  // no process between spoolgate and its hook
    CHECK(pgid[i] == pid[i]);     // its own process group (SPEC)
    CHECK(pgid[i] != ::getpgrp());
  }
  // what the hooks left running dies once spoolgate has ended
  int left = 2;
  for (int i = 0; i < 300 && (left = count_processes(sleeper)) != 0; ++i) ::usleep(10000);
  CHECK(left == 0);
}

TEST_CASE("a hook that prints megabytes is drained, and memory stays bounded", "[verdicts]") {
  check_verdict({{"5", "75"}, "spew", "451 4.7.1 last words"});
}

// ---------------------------------------------------------------- hook contract

TEST_CASE("the hook gets the message in LF form, seekable, its environment and macros", "[hook]") {
  Sandbox box;
  FakeNextHop hop;
  std::string rec = box.subdir("rec");
  std::string in = crlf(
      "EHLO c\nXFORWARD NAME=mail.example.org ADDR=192.0.2.1 PORT=4711 HELO=helo+2Eexample IDENT=ABC123\n"
      "MAIL FROM:<s@example.com>\nRCPT TO:<r1@example.net>\nRCPT TO:<r2@example.net>\nDATA\n"
      "Subject: hi\n\n..dot line\nbody\n.\nQUIT\n");
  std::string cmd = hook("record") + " " + rec + " 0 --from=${sender} --to=${recipient} ${client_address} "
                    "${client_hostname} ${client_helo} ${queue_id} ${size} 'two words'";
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", cmd}), in});
  INFO(box.log());
  REQUIRE(hop.messages().size() == 1);
  CHECK(read_file(rec + "/stdin") == "Subject: hi\n\n.dot line\nbody\n");
  CHECK(read_file(rec + "/stdin2") == "Subject: hi\n\n.dot line\nbody\n");
  std::string env = read_file(rec + "/env");
  CHECK(contains(env, "SPOOLGATE_SENDER=s@example.com\n"));
  CHECK(contains(env, "SPOOLGATE_RECIPIENTS=r1@example.net\nr2@example.net\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_ADDRESS=192.0.2.1\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_HOSTNAME=mail.example.org\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_HELO=helo.example\n"));
  CHECK(contains(env, "SPOOLGATE_QUEUE_ID=ABC123\n"));
  CHECK(contains(env, "SPOOLGATE_SIZE=32\n"));  // CRLF line ends, dot-stuffing removed
  CHECK(read_file(rec + "/args") ==
        "--from=s@example.com\n--to=r1@example.net\n--to=r2@example.net\n192.0.2.1\nmail.example.org\n"
        "helo.example\nABC123\n32\ntwo words\n");
  // nothing of spoolgate's leaks into the hook: no socket (the client's, the
  // next hop's), no spool but its stdin
  std::string fds = read_file(rec + "/fds");
  CHECK_FALSE(contains(fds, "socket:"));
  CHECK(contains(fds, " 0 -> "));
}

TEST_CASE("without XFORWARD, and with [UNAVAILABLE], the client values are empty", "[hook]") {
  Sandbox box;
  FakeNextHop hop;
  std::string rec = box.subdir("rec");
  std::string in = crlf(
      "EHLO c\nXFORWARD NAME=[UNAVAILABLE] ADDR=[TEMPUNAVAIL] HELO=h IDENT=[UNAVAILABLE]\n"
      "MAIL FROM:<>\nRCPT TO:<r@x>\nDATA\nx\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("record") + " " + rec + " 0"}), in});
  std::string env = read_file(rec + "/env");
  CHECK(contains(env, "SPOOLGATE_SENDER=\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_ADDRESS=\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_HOSTNAME=\n"));
  CHECK(contains(env, "SPOOLGATE_CLIENT_HELO=h\n"));
  CHECK(contains(env, "SPOOLGATE_QUEUE_ID=\n"));
  CHECK(contains(box.log(), "NOQUEUE: from=<>"));
}

TEST_CASE("headers mode adds the hook's fields at the top, after --add-header", "[hook]") {
  Sandbox box;
  FakeNextHop hop;
  std::string out = box.file("headers");
  write_file(out, "X-Spam-Score: 1.5\nX-Folded: a\n\tb\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("print-stdout") + " " + out, "--hook-output", "headers",
                                             "--add-header", "X-Filtered-By: spoolgate"}),
                              transaction(kBody)});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "X-Filtered-By: spoolgate\r\nX-Spam-Score: 1.5\r\nX-Folded: a\r\n\tb\r\n" + kBody);
  SECTION("invalid header output defers, saying what is wrong") {
    std::pair<std::string, std::string> cases[] = {
        {"not a header\n", "not a header field: no \"Name:\""},
        {"X-A: 1\n\nbody\n", "empty line in header output"},
        {" continuation first\n", "continuation line before the first header field"},
        {"Bad Name: x\n", "bad character in a header field name"},
        {std::string(70000, 'x'), "more than 64 KiB of header output"},
    };
    for (const auto& [bad, why] : cases) {
      Sandbox b2;
      FakeNextHop h2;
      write_file(b2.file("headers"), bad);
      Run r2 = run_spoolgate(b2, {hop_args(h2, {"--hook", hook("print-stdout") + " " + b2.file("headers"),
                                                "--hook-output", "headers"}),
                                  transaction(kBody)});
      INFO(bad.substr(0, 30));
      CHECK(replies_after_ehlo(r2.output)[3] == "451 4.7.1 invalid hook output: " + why);
      CHECK(h2.messages().empty());
    }
  }
}

TEST_CASE("rewrite mode forwards the hook's message instead", "[hook]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("subject-tag"), "--hook-output", "rewrite",
                                             "--add-header", "X-Filtered-By: spoolgate"}),
                              transaction("Subject: hello\r\n\r\n.dot\r\nbody\r\n")});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "X-Filtered-By: spoolgate\r\nSubject: [tagged] hello\r\n\r\n..dot\r\nbody\r\n");
  SECTION("an empty rewrite defers") {
    Sandbox b2;
    FakeNextHop h2;
    write_file(b2.file("empty"), "");
    Run r2 = run_spoolgate(b2, {hop_args(h2, {"--hook", hook("print-stdout") + " " + b2.file("empty"),
                                              "--hook-output", "rewrite"}),
                                transaction(kBody)});
    CHECK(replies_after_ehlo(r2.output)[3] == "451 4.7.1 invalid hook output: empty rewritten message");
    CHECK(h2.messages().empty());
  }
  SECTION("a rewrite larger than --max-size defers") {
    Sandbox b2;
    FakeNextHop h2;
    write_file(b2.file("big"), std::string(5000, 'x') + "\n");
    Run r2 = run_spoolgate(b2, {hop_args(h2, {"--hook", hook("print-stdout") + " " + b2.file("big"),
                                              "--hook-output", "rewrite", "--max-size", "2000"}),
                                transaction(kBody)});
    CHECK(replies_after_ehlo(r2.output)[3] == "451 4.7.1 invalid hook output: rewritten message larger than --max-size");
    CHECK(h2.messages().empty());
  }
}

TEST_CASE("rewrite output of any line length streams through", "[hook]") {
  Sandbox box;
  FakeNextHop::Config unlimited;
  unlimited.ehlo = {"fake.example", "PIPELINING", "SIZE"};
  FakeNextHop hop(unlimited);
  write_file(box.file("long"), "Subject: long\n\n" + std::string(3 * 1024 * 1024, 'z') + "\n");
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("print-stdout") + " " + box.file("long"), "--hook-output",
                                             "rewrite"}),
                              transaction(kBody)});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "Subject: long\r\n\r\n" + std::string(3 * 1024 * 1024, 'z') + "\r\n");
  if (!std::getenv("ASAN_OPTIONS")) CHECK(r.max_rss_kb < 16 * 1024);
}

TEST_CASE("--add-header without a hook", "[hook]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--add-header", "X-A: 1", "--add-header", "X-B: 2"}), transaction(kBody)});
  REQUIRE(hop.messages().size() == 1);
  CHECK(hop.messages()[0] == "X-A: 1\r\nX-B: 2\r\n" + kBody);
}

TEST_CASE("--quarantine-dir keeps rejected and discarded messages, 0600, with verdict, hook status and reason",
          "[hook]") {
  for (auto [st, verdict] : {std::pair{"65", "reject"}, std::pair{"99", "discard"}}) {
    Sandbox box;
    FakeNextHop hop;
    std::string q = box.subdir("quarantine");
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " " + st + " 'signature Eicar-Test'",
                                               "--quarantine-dir", q}),
                                transaction(kBody, {"r1@example.net", "r2@example.net"})});
    std::vector<std::string> files = Sandbox::list(q);
    REQUIRE(files.size() == 1);
    std::string path = q + "/" + files[0];
    struct stat sb;
    REQUIRE(::stat(path.c_str(), &sb) == 0);
    CHECK((sb.st_mode & 0777) == 0600);
    CHECK(read_file(path) ==
          "X-Envelope-From: <sender@example.com>\nX-Envelope-To: <r1@example.net>\nX-Envelope-To: <r2@example.net>\n"
          "X-Spoolgate-Verdict: " + std::string(verdict) + "\nX-Spoolgate-Hook: " + st +
              "\nX-Spoolgate-Reason: signature Eicar-Test\n"
              "From: a@example.com\nTo: b@example.net\nSubject: test\n\nHello.\n");
    // the log line keeps the reason, a discard's too (its reply cannot)
    CHECK(contains(box.log(), std::string("verdict=") + verdict + ", hook=" + st));
    CHECK(contains(box.log(), "reason=(signature Eicar-Test)"));
  }
  SECTION("a quarantine that cannot be written turns the verdict into a defer") {
    Sandbox box;
    FakeNextHop hop;
    Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("exit-with") + " 99", "--quarantine-dir",
                                               box.file("does-not-exist")}),
                                transaction(kBody)});
    CHECK(replies_after_ehlo(r.output)[3].rfind("451 4.", 0) == 0);
    CHECK(hop.messages().empty());
  }
}

// ---------------------------------------------------------------- peers

TEST_CASE("a silent client gets 421 4.4.2 after --timeout, exit 75", "[timeouts]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--timeout", "1"}), "EHLO c\r\n", false});
  CHECK(lines(r.output).back() == "421 4.4.2 localhost Error: timeout exceeded");
  CHECK(r.status == 75);
  CHECK(r.seconds < 10);
}

TEST_CASE("a client silent in the middle of DATA gets 421 too, and nothing is delivered", "[timeouts]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--timeout", "1"}),
                              crlf("EHLO c\nMAIL FROM:<a@b>\nRCPT TO:<c@d>\nDATA\nhalf a mess"), false});
  CHECK(lines(r.output).back() == "421 4.4.2 localhost Error: timeout exceeded");
  CHECK(r.status == 75);
  CHECK(hop.messages().empty());
  CHECK(hop.partial_messages() == 0);
}

TEST_CASE("a next hop that stalls is given up after --timeout: 421", "[timeouts]") {
  Sandbox box;
  FakeNextHop::Config c;
  c.script = [](const std::string& verb, const std::string&, int) -> std::optional<std::string> {
    if (verb == "RCPT") return "STALL";
    return std::nullopt;
  };
  FakeNextHop hop(c);
  Run r = run_spoolgate(box, {hop_args(hop, {"--timeout", "1"}), transaction(kBody)});
  CHECK(contains(r.output, "421 4.4.2"));
  CHECK(r.status == 75);
  CHECK(hop.messages().empty());
}

TEST_CASE("a client that leaves before the verdict gets nothing delivered", "[timeouts]") {
  Sandbox box;
  FakeNextHop hop;
  // the message ends, the client closes at once (no QUIT), the hook takes a moment
  std::string in = transaction(kBody, {"r@x"}, "s@x", false);
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("sleeper") + " 1"}), in});
  CHECK(hop.messages().empty());
  CHECK(hop.partial_messages() == 0);
  CHECK(contains(box.log(), "client disconnected"));
}

TEST_CASE("the next hop is kept alive with NOOP while a slow hook runs", "[timeouts]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"--hook", hook("sleeper") + " 9"}), transaction(kBody)});
  CHECK(hop.count("NOOP") >= 1);
  CHECK(hop.messages().size() == 1);
}

// ---------------------------------------------------------------- log

TEST_CASE("one log line per message, with the upstream queue ID", "[log]") {
  Sandbox box;
  FakeNextHop hop;
  std::string in = crlf(
      "EHLO c\nXFORWARD NAME=localhost ADDR=127.0.0.1 PORT=38128\nXFORWARD PROTO=ESMTP HELO=h IDENT=7BD3AA72C72\n"
      "MAIL FROM:<s@example.com>\nRCPT TO:<r1@example.net>\nRCPT TO:<r2@example.net>\nDATA\nhello\n.\nQUIT\n");
  Run r = run_spoolgate(box, {hop_args(hop), in});
  std::string log = box.log();
  INFO(log);
  CHECK(contains(log, "7BD3AA72C72: from=<s@example.com>, to=<r1@example.net>,<r2@example.net>, nrcpt=2, size=7, "
                      "verdict=accept, hook=none, delay="));
  CHECK(contains(log, ", relay=127.0.0.1[127.0.0.1]:" + std::to_string(hop.port()) +
                          ", reply=(250 2.0.0 Ok: queued as FAKE1)"));
  CHECK(contains(log, " spoolgate["));
}

TEST_CASE("nothing is written to the socket but SMTP replies, even with -v and bad options", "[log]") {
  Sandbox box;
  FakeNextHop hop;
  Run r = run_spoolgate(box, {hop_args(hop, {"-v"}), transaction(kBody)});
  CHECK(only_replies(r.output));
  CHECK(contains(box.log(), "client < EHLO client.example.org"));
  SECTION("a bad option: exit 64, a 421 4.3.5 greeting naming it, the whole cause in the log") {
    Sandbox b2;
    Run bad = run_spoolgate(b2, {{"--no-such-option"}, ""});
    CHECK(bad.status == 64);
    CHECK(only_replies(bad.output));
    CHECK(lines(bad.output).size() == 1);
    CHECK(bad.output.rfind("421 4.3.5 spoolgate: bad usage: ", 0) == 0);
    CHECK(contains(bad.output, "no-such-option"));
    CHECK(contains(b2.log(), "fatal: bad usage: "));
  }
}
