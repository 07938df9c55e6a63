// data_guard.cc - the message's way into the spools during DATA, with an error latch
#include "spoolgate/data_guard.h"

#include <new>
#include <system_error>

namespace spoolgate {

// guard - pass on, unless the latch is set; set it on the first failure
template <typename F>
void DataGuard::guard(F f) {
  if (!too_big_ && limit_ && decoder_.size() > limit_) too_big_ = true;
  if (!ok()) return;
  try {
    f();
  } catch (const std::system_error& e) {
    error_ = e.what();
  } catch (const std::bad_alloc&) {
    error_ = "out of memory";
  }
}

void DataGuard::text(std::string_view piece) {
  guard([&] { spools_.text(piece); });
}

void DataGuard::end_of_line() {
  guard([&] { spools_.end_of_line(); });
}

void DataGuard::crlf_lines(std::string_view lines) {
  guard([&] { spools_.crlf_lines(lines); });
}

void DataGuard::sync_wire() {
  guard([&] { spools_.sync_wire(); });
}

void DataGuard::finish() {
  guard([&] { spools_.finish(); });
}

}  // namespace spoolgate
