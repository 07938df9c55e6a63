// builtins.cc - the scanner hooks as spoolgate's built-in hooks
#include "spoolgate/scan/builtins.h"

#include "spoolgate/scan/clamav_hook.h"
#include "spoolgate/scan/rspamd_hook.h"
#include "spoolgate/scan/scanner.h"
#include "spoolgate/scan/spamassassin_hook.h"

namespace spoolgate::scan {
namespace {

template <std::unique_ptr<Scanner> (*make)()>
BuiltinOutput run(const BuiltinInput& in) {
  return run_builtin(*make(), in);
}

constexpr BuiltinHook kScanners[] = {
    {"clamav", run<make_clamav>},
    {"spamassassin", run<make_spamassassin>},
    {"rspamd", run<make_rspamd>},
};

}  // namespace

std::span<const BuiltinHook> scanner_builtins() { return kScanners; }

}  // namespace spoolgate::scan
