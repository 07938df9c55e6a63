// header_block.cc - header fields added to a message: checked, then put in wire form
#include "spoolgate/header_block.h"

#include <algorithm>

#include "spoolgate/data_codec.h"
#include "spoolgate/text.h"
#include "spoolgate/text.h"

namespace spoolgate {
namespace {

// check_line - one line of a header block
bool check_line(std::string_view line, bool first, std::string* error) {
  if (line.empty()) {
    *error = "empty line in header output";
    return false;
  }
  if (has_control(line, /*tab_ok=*/true)) {
    *error = "control character in header output";
    return false;
  }
  if (line.front() == ' ' || line.front() == '\t') {
    if (first) *error = "continuation line before the first header field";
    return !first;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    *error = "not a header field: no \"Name:\"";
    return false;
  }
  for (char c : line.substr(0, colon)) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u <= 32 || u >= 127) {
      *error = "bad character in a header field name";
      return false;
    }
  }
  return true;
}

}  // namespace

// parse_header_block - line by line: checked, then in both forms
std::optional<HeaderBlock> parse_header_block(std::string_view text, std::string* error) {
  HeaderBlock block;
  StringSink out;
  WireWriter wire(out);
  bool first = true;
  while (!text.empty()) {
    std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text = nl == std::string_view::npos ? std::string_view() : text.substr(nl + 1);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!check_line(line, first, error)) return std::nullopt;
    first = false;
    wire.text(line);
    wire.end_of_line();
    block.lf.append(line).append("\n");
    if (line.front() == ' ' || line.front() == '\t') continue;
    std::string name(line.substr(0, line.find(':')));
    lower_ascii(name);
    if (std::find(block.names.begin(), block.names.end(), name) == block.names.end()) block.names.push_back(name);
  }
  block.wire = std::move(out.s);
  return block;
}

std::optional<std::string> header_block_to_wire(std::string_view text, std::string* error) {
  std::optional<HeaderBlock> block = parse_header_block(text, error);
  if (!block) return std::nullopt;
  return std::move(block->wire);
}

}  // namespace spoolgate
