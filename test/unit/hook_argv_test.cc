// hook_argv_test.cc - unit tests of hook_argv.h: sh-like word splitting, pipe(8) macros
#include "spoolgate/hook_argv.h"

#include <catch2/catch.hpp>

#include <string>
#include <vector>

using namespace spoolgate;

namespace {

using Words = std::vector<std::string>;

Words split(const std::string& command) {
  Words words;
  std::string error;
  INFO(command);
  REQUIRE(split_words(command, &words, &error));
  CHECK(error.empty());
  return words;
}

std::string split_error(const std::string& command) {
  Words words;
  std::string error;
  INFO(command);
  REQUIRE_FALSE(split_words(command, &words, &error));
  CHECK_FALSE(error.empty());
  return error;
}

}  // namespace

TEST_CASE("split_words: blanks separate words", "[hook_argv]") {
  CHECK(split("/usr/bin/filter -x arg") == Words{"/usr/bin/filter", "-x", "arg"});
  CHECK(split("  a   b  ") == Words{"a", "b"});
  CHECK(split("a\tb\nc \t\n d") == Words{"a", "b", "c", "d"});
  CHECK(split("one") == Words{"one"});
}

TEST_CASE("split_words: single quotes are literal", "[hook_argv]") {
  CHECK(split("'a b' c") == Words{"a b", "c"});
  CHECK(split(R"('a\b' '$x' '"')") == Words{R"(a\b)", "$x", "\""});
  CHECK(split("'${sender}'") == Words{"${sender}"});
  CHECK(split("x'y z'w") == Words{"xy zw"});
}

TEST_CASE("split_words: double quotes, with \\$ \\` \\\" \\\\ escapes only", "[hook_argv]") {
  CHECK(split(R"("a b" c)") == Words{"a b", "c"});
  CHECK(split(R"("\$HOME")") == Words{"$HOME"});
  CHECK(split(R"("\`x\`")") == Words{"`x`"});
  CHECK(split(R"("say \"hi\"")") == Words{R"(say "hi")"});
  CHECK(split(R"("a\\b")") == Words{R"(a\b)"});
  // any other backslash stays, as in sh
  CHECK(split(R"("a\nb\x")") == Words{R"(a\nb\x)"});
  CHECK(split(R"("it's")") == Words{"it's"});
  // backslash-newline inside double quotes is a continuation
  CHECK(split("\"a\\\nb\"") == Words{"ab"});
}

TEST_CASE("split_words: a backslash outside quotes escapes any character", "[hook_argv]") {
  CHECK(split(R"(a\ b c)") == Words{"a b", "c"});
  CHECK(split(R"(\'x\')") == Words{"'x'"});
  CHECK(split(R"(\"x)") == Words{"\"x"});
  CHECK(split(R"(a\\b)") == Words{R"(a\b)"});
  CHECK(split(R"(\$x)") == Words{"$x"});
  // backslash-newline joins the lines
  CHECK(split("ab\\\ncd") == Words{"abcd"});
}

TEST_CASE("split_words: an empty quoted string is a word", "[hook_argv]") {
  CHECK(split(R"(a "" b)") == Words{"a", "", "b"});
  CHECK(split("a '' b") == Words{"a", "", "b"});
  CHECK(split(R"(prog "")") == Words{"prog", ""});
}

TEST_CASE("split_words: quotes join with what touches them", "[hook_argv]") {
  CHECK(split(R"(--opt="a b"'c d'e)") == Words{"--opt=a bc de"});
}

TEST_CASE("split_words: errors", "[hook_argv]") {
  SECTION("unterminated single quote") {
    CHECK(split_error("prog 'abc") == "unterminated single quote");
  }
  SECTION("unterminated double quote") {
    CHECK(split_error(R"(prog "abc)") == "unterminated double quote");
    CHECK(split_error(R"(prog "abc\")") == "unterminated double quote");
    CHECK(split_error(R"(prog "abc\)") == "unterminated double quote");
  }
  SECTION("trailing backslash") {
    CHECK(split_error(R"(prog abc\)") == "trailing backslash");
  }
  SECTION("empty command") {
    CHECK(split_error("") == "empty command");
    CHECK(split_error(" \t\n") == "empty command");
  }
}

TEST_CASE("split_words clears what was in the vector", "[hook_argv]") {
  Words words{"old"};
  std::string error;
  REQUIRE(split_words("new", &words, &error));
  CHECK(words == Words{"new"});
}

TEST_CASE("check_macros: known macros pass", "[hook_argv]") {
  std::string error;
  CHECK(check_macros({"/bin/f", "${sender}", "${recipient}", "${client_address}", "${client_hostname}",
                      "${client_helo}", "${queue_id}", "${size}", "--x=${sender}:${size}", "$sender", "$", "{}"},
                     &error));
  CHECK(error.empty());
}

TEST_CASE("check_macros: unknown macros are refused", "[hook_argv]") {
  std::string error;
  SECTION("a misspelling") {
    CHECK_FALSE(check_macros({"/bin/f", "${recipients}"}, &error));
    CHECK(error == "unknown macro ${recipients}");
  }
  SECTION("empty name") {
    CHECK_FALSE(check_macros({"${}"}, &error));
    CHECK(error == "unknown macro ${}");
  }
  SECTION("wrong case") {
    CHECK_FALSE(check_macros({"${SENDER}"}, &error));
  }
  SECTION("the second macro of a word") {
    CHECK_FALSE(check_macros({"${sender}${nexthop}"}, &error));
    CHECK(error == "unknown macro ${nexthop}");
  }
}

TEST_CASE("check_macros: an unterminated macro is refused", "[hook_argv]") {
  std::string error;
  CHECK_FALSE(check_macros({"/bin/f", "${sender"}, &error));
  CHECK(error == "unterminated macro in \"${sender\"");
  CHECK_FALSE(check_macros({"${size}${queue_id"}, &error));
}

TEST_CASE("expand: macros inside words", "[hook_argv]") {
  MacroValues v;
  v.sender = "s@example.com";
  v.client_address = "192.0.2.1";
  v.client_hostname = "mail.example.com";
  v.client_helo = "helo.example";
  v.queue_id = "4AbCdE";
  v.size = "1234";
  const Words words{"/bin/f", "--from=${sender}", "${size}", "${client_address}/${client_hostname}/${client_helo}",
                    "q${queue_id}q", "plain"};
  CHECK(expand(words, v) == Words{"/bin/f", "--from=s@example.com", "1234",
                                  "192.0.2.1/mail.example.com/helo.example", "q4AbCdEq", "plain"});
}

TEST_CASE("expand: an empty value leaves an empty word, not no word", "[hook_argv]") {
  MacroValues v;  // sender <> is empty
  CHECK(expand({"/bin/f", "${sender}", "-x"}, v) == Words{"/bin/f", "", "-x"});
}

TEST_CASE("expand: ${recipient} makes one word per recipient", "[hook_argv]") {
  MacroValues v;
  v.sender = "s@x";
  v.recipients = {"r1@x", "r2@y", "r3@z"};
  SECTION("a word of its own") {
    CHECK(expand({"/bin/f", "--", "${recipient}"}, v) == Words{"/bin/f", "--", "r1@x", "r2@y", "r3@z"});
  }
  SECTION("inside a word, with other macros") {
    CHECK(expand({"--rcpt=<${recipient}>from=${sender}", "end"}, v) ==
          Words{"--rcpt=<r1@x>from=s@x", "--rcpt=<r2@y>from=s@x", "--rcpt=<r3@z>from=s@x", "end"});
  }
  SECTION("twice in one word: the same recipient") {
    CHECK(expand({"${recipient}:${recipient}"}, v) == Words{"r1@x:r1@x", "r2@y:r2@y", "r3@z:r3@z"});
  }
  SECTION("no recipients: the word goes") {
    MacroValues none;
    CHECK(expand({"/bin/f", "${recipient}", "x"}, none) == Words{"/bin/f", "x"});
  }
}

TEST_CASE("expand: values are not expanded again", "[hook_argv]") {
  MacroValues v;
  v.sender = "${recipient}";
  v.recipients = {"${size}"};
  v.size = "9";
  CHECK(expand({"${sender}", "${recipient}", "${size}"}, v) == Words{"${recipient}", "${size}", "9"});
}
