// hook_argv.cc - the hook command: split into words as a shell would, then expand macros
#include "spoolgate/hook_argv.h"

#include <array>

namespace spoolgate {
namespace {

constexpr std::array<std::string_view, 7> kMacros = {
    "sender", "recipient", "client_address", "client_hostname", "client_helo", "queue_id", "size"};

bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\n'; }

// macro_value - the text of one macro other than ${recipient}
const std::string& macro_value(std::string_view name, const MacroValues& v) {
  if (name == "sender") return v.sender;
  if (name == "client_address") return v.client_address;
  if (name == "client_hostname") return v.client_hostname;
  if (name == "client_helo") return v.client_helo;
  if (name == "queue_id") return v.queue_id;
  return v.size;
}

// expand_word - one word, with ${recipient} (if any) set to `recipient`
std::string expand_word(std::string_view word, const MacroValues& v, const std::string* recipient) {
  std::string out;
  std::size_t i = 0;
  while (i < word.size()) {
    std::size_t start = word.find("${", i);
    if (start == std::string_view::npos) break;
    std::size_t close = word.find('}', start);
    if (close == std::string_view::npos) break;  // check_macros() refused this already
    out.append(word.substr(i, start - i));
    std::string_view name = word.substr(start + 2, close - start - 2);
    if (name == "recipient") {
      if (recipient) out += *recipient;
    } else {
      out += macro_value(name, v);
    }
    i = close + 1;
  }
  out.append(word.substr(i));
  return out;
}

}  // namespace

// split_words - sh(1) word splitting and quote removal, nothing more
bool split_words(std::string_view s, std::vector<std::string>* words, std::string* error) {
  words->clear();
  std::string word;
  bool in_word = false;
  std::size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (is_blank(c)) {
      if (in_word) words->push_back(std::move(word));
      word.clear();
      in_word = false;
      ++i;
      continue;
    }
    in_word = true;
    if (c == '\\') {
      if (i + 1 >= s.size()) {
        *error = "trailing backslash";
        return false;
      }
      if (s[i + 1] != '\n') word += s[i + 1];  // backslash-newline: a continuation
      i += 2;
    } else if (c == '\'') {
      std::size_t close = s.find('\'', i + 1);
      if (close == std::string_view::npos) {
        *error = "unterminated single quote";
        return false;
      }
      word.append(s.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      ++i;
      for (;;) {
        if (i >= s.size()) {
          *error = "unterminated double quote";
          return false;
        }
        char d = s[i];
        if (d == '"') {
          ++i;
          break;
        }
        if (d == '\\' && i + 1 < s.size() &&
            (s[i + 1] == '$' || s[i + 1] == '`' || s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '\n')) {
          if (s[i + 1] != '\n') word += s[i + 1];
          i += 2;
          continue;
        }
        word += d;
        ++i;
      }
    } else {
      word += c;
      ++i;
    }
  }
  if (in_word) words->push_back(std::move(word));
  if (words->empty()) {
    *error = "empty command";
    return false;
  }
  return true;
}

// check_macros - refuse unknown and unterminated ${...}, as pipe(8) refuses them
bool check_macros(const std::vector<std::string>& words, std::string* error) {
  for (const std::string& w : words) {
    std::size_t i = 0;
    while ((i = w.find("${", i)) != std::string::npos) {
      std::size_t close = w.find('}', i);
      if (close == std::string::npos) {
        *error = "unterminated macro in \"" + w + "\"";
        return false;
      }
      std::string_view name = std::string_view(w).substr(i + 2, close - i - 2);
      bool known = false;
      for (std::string_view m : kMacros) known = known || m == name;
      if (!known) {
        *error = "unknown macro ${" + std::string(name) + "}";
        return false;
      }
      i = close + 1;
    }
  }
  return true;
}

// expand - one argv per message; ${recipient} multiplies its word
std::vector<std::string> expand(const std::vector<std::string>& words, const MacroValues& v) {
  std::vector<std::string> argv;
  for (const std::string& w : words) {
    if (w.find("${recipient}") != std::string::npos) {
      for (const std::string& r : v.recipients) argv.push_back(expand_word(w, v, &r));
    } else {
      argv.push_back(expand_word(w, v, nullptr));
    }
  }
  return argv;
}

}  // namespace spoolgate
