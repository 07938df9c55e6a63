// fake_next_hop_main.cc - the fake next hop as a program, for the demo and by hand
//
//   fake-next-hop OUTDIR [SECONDS]
//
// Listens on a free loopback port, writes the port number to OUTDIR/port,
// and for SECONDS (default 60) takes mail like a Postfix smtpd: each
// command goes to OUTDIR/commands.log, each message (as received on the
// wire, dot-stuffed, CRLF) to OUTDIR/message-N.eml. It stops early when
// OUTDIR/stop appears.
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include "fake_next_hop.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: fake-next-hop OUTDIR [SECONDS]\n");
    return 64;
  }
  std::string dir = argv[1];
  int seconds = argc > 2 ? std::stoi(argv[2]) : 60;
  spoolgate::test::FakeNextHop::Config c;
  c.script = [&](const std::string& verb, const std::string& line, int) -> std::optional<std::string> {
    if (verb != "CONNECT") std::ofstream(dir + "/commands.log", std::ios::app) << line << "\n";
    return std::nullopt;
  };
  int n = 0;
  c.on_message = [&](const std::string& wire, int) -> std::optional<std::string> {
    std::ofstream(dir + "/message-" + std::to_string(++n) + ".eml", std::ios::binary) << wire;
    return std::nullopt;
  };
  spoolgate::test::FakeNextHop hop(c);
  std::ofstream(dir + "/port") << hop.port() << "\n";
  struct stat st;
  for (int i = 0; i < seconds * 10 && ::stat((dir + "/stop").c_str(), &st) != 0; ++i) ::usleep(100000);
  return 0;
}
