// scan/builtins.h - the scanner hooks as spoolgate's built-in hooks
//
// DESCRIPTION
//   scanner_builtins() is the table spoolgate registers at start-up
//   (builtin_hooks.h): "builtin:clamav", "builtin:spamassassin" and
//   "builtin:rspamd" are the clamav, spamassassin and rspamd hooks run by
//   run_builtin() inside spoolgate, with the argv and environment the
//   installed programs get. Same options, same verdicts, same REASONs.
#pragma once

#include <span>

#include "spoolgate/builtin_hooks.h"

namespace spoolgate::scan {

std::span<const BuiltinHook> scanner_builtins();

}  // namespace spoolgate::scan
