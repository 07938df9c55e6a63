// field_filter.h - leave out a message's header fields by name
//
// DESCRIPTION
//   In `headers` mode a field the hook prints replaces every field of the
//   same name already in the message, so that a sender cannot pre-set
//   "X-Spam-Flag: NO" (SPEC "The hook"). These functions find and leave out
//   such fields in a spooled message, in either of the forms spoolgate keeps
//   (the hook's LF form, the next hop's wire form: CRLF, dot-stuffed):
//   has_fields() looks, copy_without_fields() copies the message without
//   them. A field goes with its continuation lines. Names are compared
//   without letter case.
//
//   The header section ends at the first empty line, or at the first line
//   that is neither a field ("Name:") nor a continuation (as Postfix's
//   cleanup takes such a line for the start of the body); from there on,
//   everything is copied as it is, with sendfile(2) when the message is a
//   file.
//
// DIAGNOSTICS
//   Spool read and write errors are thrown as std::system_error.
//
// SECURITY
//   Lines of any length pass in pieces: memory stays bounded.
#pragma once

#include <string>
#include <vector>

#include "spoolgate/spool.h"

namespace spoolgate {

enum class MessageForm { lf, wire };

/// Whether the header section of `message` has a field named in `names`
/// (lower case).
bool has_fields(const Spool& message, MessageForm form, const std::vector<std::string>& names);

/// Append `message` to `out` without the fields named in `names` (lower case).
void copy_without_fields(const Spool& message, MessageForm form, const std::vector<std::string>& names, Spool& out);

}  // namespace spoolgate
