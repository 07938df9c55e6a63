// builtin_hooks.cc - hooks that spoolgate runs in a child of its own, without exec
#include "spoolgate/builtin_hooks.h"

#include <stdexcept>

namespace spoolgate {
namespace {

std::span<const BuiltinHook> registered;

}  // namespace

void register_builtin_hooks(std::span<const BuiltinHook> hooks) { registered = hooks; }

const BuiltinHook* find_builtin_hook(std::string_view word) {
  if (!word.starts_with(kBuiltinPrefix)) return nullptr;
  std::string_view name = word.substr(kBuiltinPrefix.size());
  std::string known;
  for (const BuiltinHook& h : registered) {
    if (h.name == name) return &h;
    known += (known.empty() ? "" : ", ") + std::string(h.name);
  }
  throw std::invalid_argument("no built-in hook \"" + std::string(name) + "\" (there are: " +
                              (known.empty() ? std::string("none") : known) + ")");
}

}  // namespace spoolgate
