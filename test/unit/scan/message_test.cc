// message_test.cc - unit tests of scan/message.h: the message read by offset, and its header
#include "spoolgate/scan/message.h"

#include <sys/mman.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include <string>

#include "spoolgate/scan/bounds.h"

using namespace spoolgate;
using namespace spoolgate::scan;

namespace {

// message_of - a memfd holding `text`, its offset left at the end (as a hook may find it)
Message message_of(const std::string& text) {
  Fd fd(::memfd_create("test", MFD_CLOEXEC));
  write_all(fd.get(), text.data(), text.size(), "write");
  return Message(std::move(fd));
}

}  // namespace

TEST_CASE("chunks cover the message from its first octet, whatever the offset", "[scan_message]") {
  std::string text = "Subject: x\n\n" + std::string(3 * kSendChunk + 17, 'b');
  Message m = message_of(text);
  CHECK(m.size() == text.size());
  std::string got;
  int chunks = 0;
  m.for_each_chunk([&](std::string_view c) {
    CHECK(c.size() <= kSendChunk);
    got += c;
    ++chunks;
  });
  CHECK(got == text);
  CHECK(chunks == 4);
  int empty_chunks = 0;
  message_of("").for_each_chunk([&](std::string_view) { ++empty_chunks; });
  CHECK(empty_chunks == 0);
}

TEST_CASE("header_block: up to the empty line, LF or CRLF, bounded", "[scan_message]") {
  CHECK(message_of("A: 1\nB: 2\n\nbody\n").header_block(1000) == "A: 1\nB: 2\n");
  CHECK(message_of("A: 1\r\nB: 2\r\n\r\nbody\r\n").header_block(1000) == "A: 1\r\nB: 2\r\n");
  CHECK(message_of("\nbody\n").header_block(1000).empty());
  CHECK(message_of("A: 1\nB: 2").header_block(1000) == "A: 1\nB: 2");
  CHECK(message_of("A: 123456789\n\n").header_block(5) == "A: 12");
  std::string big = "A: " + std::string(10000, 'x') + "\nB: 2\n\nbody";
  CHECK(message_of(big).header_block(20000) == big.substr(0, big.size() - 5));
}

TEST_CASE("find_fields: any case, continuations joined", "[scan_message]") {
  std::string block =
      "Received: from a ([192.0.2.1])\n\tby b; date\nsubject: x\nRECEIVED: from c\nX-Received: no\nReceivedX: no\n";
  CHECK(find_fields(block, "Received") == std::vector<std::string>{"from a ([192.0.2.1])\tby b; date", "from c"});
  CHECK(find_fields(block, "Subject") == std::vector<std::string>{"x"});
  CHECK(find_fields(block, "X-Envelope-From").empty());
  CHECK(find_fields("\tcontinuation first\nA : 1\n", "A") == std::vector<std::string>{"1"});
}
