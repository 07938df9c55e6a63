// field_filter.cc - leave out a message's header fields by name
#include "spoolgate/field_filter.h"

#include <algorithm>

#include "spoolgate/bounds.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

/// Longest field name looked at; a longer "name" is no field of ours.
constexpr std::size_t kMaxFieldName = 998;

// HeaderWalk - the header section, a line at a time, in chunks
class HeaderWalk {
 public:
  HeaderWalk(const Spool& message, MessageForm form) : message_(message), form_(form), buf_(kIoChunk, '\0') {}

  enum class Kind { field, continuation, end };
  /// At the start of a line: what it is, and for a field its name (lower case).
  Kind next(std::string* name) {
    std::string_view head = peek(kMaxFieldName + 3);
    if (form_ == MessageForm::wire && !head.empty() && head[0] == '.') head.remove_prefix(1);  // stuffed
    if (head.empty() || head[0] == '\n' || head.substr(0, 2) == "\r\n") return Kind::end;
    if (head[0] == ' ' || head[0] == '\t') return Kind::continuation;
    std::size_t colon = head.find(':');
    if (colon == std::string_view::npos || colon == 0) return Kind::end;
    std::string_view n = head.substr(0, colon);
    if (has_control(n) || n.find(' ') != std::string_view::npos) return Kind::end;
    name->assign(n);
    lower_ascii(*name);
    return Kind::field;
  }
  /// Past the current line (to `out`, unless null).
  void pass_line(Spool* out) {
    for (;;) {
      std::string_view have = peek(1);
      if (have.empty()) return;
      std::size_t nl = have.find('\n');
      std::size_t n = nl == std::string_view::npos ? have.size() : nl + 1;
      if (out) out->append(have.substr(0, n));
      offset_ += n;
      if (nl != std::string_view::npos) return;
    }
  }
  std::uint64_t offset() const { return offset_; }

 private:
  // peek - at least `want` octets from the offset (fewer at the end)
  std::string_view peek(std::size_t want) {
    if (offset_ < start_ || offset_ + std::min<std::uint64_t>(want, kIoChunk) > start_ + len_) {
      start_ = offset_;
      len_ = message_.read_at(start_, buf_.data(), buf_.size());
    }
    return std::string_view(buf_.data() + (offset_ - start_), len_ - (offset_ - start_));
  }
  const Spool& message_;
  MessageForm form_;
  std::string buf_;
  std::uint64_t start_ = 0, len_ = 0, offset_ = 0;
};

bool named(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace

bool has_fields(const Spool& message, MessageForm form, const std::vector<std::string>& names) {
  HeaderWalk walk(message, form);
  std::string name;
  for (;;) {
    HeaderWalk::Kind k = walk.next(&name);
    if (k == HeaderWalk::Kind::end) return false;
    if (k == HeaderWalk::Kind::field && named(names, name)) return true;
    walk.pass_line(nullptr);
  }
}

void copy_without_fields(const Spool& message, MessageForm form, const std::vector<std::string>& names, Spool& out) {
  HeaderWalk walk(message, form);
  std::string name;
  bool dropping = false;
  for (;;) {
    HeaderWalk::Kind k = walk.next(&name);
    if (k == HeaderWalk::Kind::end) break;
    if (k == HeaderWalk::Kind::field) dropping = named(names, name);
    walk.pass_line(dropping ? nullptr : &out);
  }
  out.append_from(message, walk.offset());
}

}  // namespace spoolgate
