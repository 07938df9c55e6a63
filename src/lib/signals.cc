// signals.cc - the signals spoolgate handles, and how a wait sees them
#include "spoolgate/signals.h"

#include <cstring>
#include <initializer_list>

namespace spoolgate::signals {
namespace {

volatile sig_atomic_t g_termination = 0;
sigset_t g_wait_mask;
bool g_installed = false;

void on_termination(int sig) { g_termination = sig; }

const int kTerminationSignals[] = {SIGTERM, SIGINT, SIGHUP};

}  // namespace

// install - ignore SIGPIPE/SIGXFSZ, route termination signals through waits
void install() {
  struct sigaction ign {};
  ign.sa_handler = SIG_IGN;
  sigemptyset(&ign.sa_mask);
  sigaction(SIGPIPE, &ign, nullptr);
  sigaction(SIGXFSZ, &ign, nullptr);

  sigset_t block;
  sigemptyset(&block);
  struct sigaction term {};
  term.sa_handler = on_termination;
  sigemptyset(&term.sa_mask);
  term.sa_flags = 0;  // no SA_RESTART: a wait must return EINTR
  for (int sig : kTerminationSignals) {
    sigaction(sig, &term, nullptr);
    sigaddset(&block, sig);
  }
  sigset_t old;
  sigprocmask(SIG_BLOCK, &block, &old);
  g_wait_mask = old;
  for (int sig : kTerminationSignals) sigdelset(&g_wait_mask, sig);
  g_installed = true;
}

// wait_mask - the mask for ppoll; before install(), the current mask
const sigset_t* wait_mask() {
  if (!g_installed) {
    sigprocmask(SIG_SETMASK, nullptr, &g_wait_mask);
    for (int sig : kTerminationSignals) sigdelset(&g_wait_mask, sig);
  }
  return &g_wait_mask;
}

int pending_termination() { return g_termination; }

// reset_for_child - a hook starts with the dispositions a shell would give it
void reset_for_child() {
  struct sigaction dfl {};
  dfl.sa_handler = SIG_DFL;
  sigemptyset(&dfl.sa_mask);
  for (int sig : {SIGPIPE, SIGXFSZ, SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &dfl, nullptr);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

}  // namespace spoolgate::signals
