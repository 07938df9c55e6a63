// hook_argv.h - the hook command: split into words as a shell would, then expand macros
//
// DESCRIPTION
//   split_words() splits --hook as sh(1) splits a simple command, and does
//   nothing else: blanks separate words; '...' is literal; inside "..." a
//   backslash escapes only $ ` " \ and newline; outside quotes a backslash
//   escapes any character. There is no globbing, no variable expansion, no
//   redirection: the words become execve(2)'s argv, never a shell's input.
//
//   expand() replaces pipe(8)'s macros ${sender}, ${recipient},
//   ${client_address}, ${client_hostname}, ${client_helo}, ${queue_id} and
//   ${size} inside every word. A word that contains ${recipient} becomes one
//   word per recipient, as in pipe(8).
//
// DIAGNOSTICS
//   split_words() and check_macros() return false with a message for an
//   unbalanced quote, a trailing backslash, an empty command, or an unknown
//   or unterminated macro; the option parser makes that a usage error.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace spoolgate {

struct MacroValues {
  std::string sender;
  std::vector<std::string> recipients;
  std::string client_address, client_hostname, client_helo, queue_id, size;
};

/// Split `command` into words. False, with `error` set, on bad quoting.
bool split_words(std::string_view command, std::vector<std::string>* words, std::string* error);

/// Every ${...} in `words` names a known macro.
bool check_macros(const std::vector<std::string>& words, std::string* error);

/// The argv for one message.
std::vector<std::string> expand(const std::vector<std::string>& words, const MacroValues& values);

}  // namespace spoolgate
