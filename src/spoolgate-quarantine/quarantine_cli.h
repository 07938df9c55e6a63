// quarantine_cli.h - spoolgate-quarantine's commands: list, show, release, delete, expire
//
// DESCRIPTION
//   run_quarantine_cli() reads
//
//     spoolgate-quarantine [OPTIONS] list
//     spoolgate-quarantine [OPTIONS] show ID
//     spoolgate-quarantine [OPTIONS] release ID [--to RECIPIENT]...
//     spoolgate-quarantine [OPTIONS] delete ID
//     spoolgate-quarantine [OPTIONS] expire [DAYS]
//
//   OPTIONS are spoolgate's own, read the same way (--config FILE, with
//   quarantine-dir, next-hop, hostname, timeout, quarantine-days and the log
//   settings), so that the filter and this tool read one config file. A
//   release re-injects the message to the next hop with its stored envelope
//   (or --to), bypassing the hooks, deletes the file only after the next
//   hop's 250, and logs a release line; a refusal leaves the file.
//
// DIAGNOSTICS
//   Exit status: 0 done; 64 bad usage; 66 no such entry (or the directory
//   cannot be read); 69 the next hop refused the release (5xx); 75 it could
//   not be done now (next hop down, 4xx). Errors go to stderr.
#pragma once

namespace spoolgate {

int run_quarantine_cli(int argc, const char* const* argv);

}  // namespace spoolgate
