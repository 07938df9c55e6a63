// name_services.h - a statically linked program looks names up only where
// glibc itself can: /etc/hosts, DNS, /etc/passwd, /etc/group, /etc/services
//
// DESCRIPTION
//   spoolgate is linked as a static PIE (meson option static_pie, the
//   default): spawn(8) starts one per connection, and without the dynamic
//   loader a start costs half the instructions and a quarter fewer page
//   faults (bench/RESULTS.md, run 10).
//   glibc's "files" and "dns" name services are inside a static program;
//   any other module that /etc/nsswitch.conf names (systemd, sss, ldap,
//   mdns, ...) it would dlopen(3) from the shared glibc, which a static
//   program cannot use safely: with Debian's own "passwd: files systemd",
//   looking up a user that is not in /etc/passwd crashes it.
//
//   use_builtin_name_services() makes the lookups spoolgate does (the next
//   hop's and the scanners' host names, --user) use only those services,
//   whatever nsswitch.conf says: hosts from /etc/hosts then DNS, users and
//   groups from /etc/passwd and /etc/group, services from /etc/services.
//   A static program calls it first, before any lookup. spoolgate(8),
//   ADMINISTRATOR NOTES, "Name lookups", says the same.
//
//   It only takes note: reading nsswitch.conf, which glibc does to apply
//   it, was a fifth of spoolgate's start-up instructions, and most starts
//   look nothing up (the next hop an address, no --user). Each lookup that
//   may consult nsswitch.conf calls before_name_lookup() first, which
//   applies it once. Single-threaded: spoolgate is.
#pragma once

namespace spoolgate {

void use_builtin_name_services();
void before_name_lookup();

}  // namespace spoolgate
