// header_block.h - header fields added to a message: checked, then put in wire form
//
// DESCRIPTION
//   The fields of --add-header and the stdout of a hook in `headers` mode
//   go at the top of the forwarded message. header_block_to_wire() accepts
//   only what SPEC calls valid: lines "Name: value" (the name printable
//   ASCII without colon or space) and continuation lines beginning with a
//   space or a tab, LF or CRLF line ends; no empty line, no control
//   character but tab, no continuation before the first field. It returns
//   the block dot-stuffed with CRLF line ends, ready for the next hop;
//   parse_header_block() also gives its LF form and the names of its fields
//   (which replace the message's own fields of those names, field_filter.h).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace spoolgate {

/// A checked block, in both forms a message is kept in, with its field names.
struct HeaderBlock {
  std::string wire;                ///< dot-stuffed, CRLF: for the next hop
  std::string lf;                  ///< LF line ends: for the next hook
  std::vector<std::string> names;  ///< the fields' names, lower case, each once
};

/// The block, or nullopt with `error` saying what is wrong.
std::optional<HeaderBlock> parse_header_block(std::string_view text, std::string* error);

/// The block in wire form, or nullopt with `error` saying what is wrong.
std::optional<std::string> header_block_to_wire(std::string_view text, std::string* error);

}  // namespace spoolgate
