// samples.h - test data that more than one module's tests use
#pragma once

#include "spoolgate/envelope.h"

namespace spoolgate::test {

/// An envelope with every field set, as XFORWARD and two RCPTs leave it.
inline Envelope sample() {
  Envelope env;
  env.sender = "sender@example.com";
  env.add_recipient("r1@example.org");
  env.add_recipient("r2@example.net");
  env.client.addr = "192.0.2.1";
  env.client.name = "mail.example.com";
  env.client.helo = "helo.example.com";
  env.client.ident = "4AbCdE";
  env.client.source = "REMOTE";
  env.client.proto = "ESMTP";
  env.size = 1234;
  return env;
}

}  // namespace spoolgate::test
