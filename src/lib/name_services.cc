// name_services.cc - lookups in glibc's built-in services only (see the header)
#include "spoolgate/name_services.h"

#include <nss.h>

namespace spoolgate {
namespace {

bool builtin_pending = false;  // use_builtin_name_services() was called, not yet applied

}  // namespace

void use_builtin_name_services() { builtin_pending = true; }

void before_name_lookup() {
  if (!builtin_pending) return;
  builtin_pending = false;
  // __nss_configure_lookup() replaces nsswitch.conf's line for one database
  // (glibc, <nss.h>); it fails only for an unknown database name
  ::__nss_configure_lookup("hosts", "files dns");
  ::__nss_configure_lookup("passwd", "files");
  ::__nss_configure_lookup("group", "files");
  ::__nss_configure_lookup("services", "files");
}

}  // namespace spoolgate
