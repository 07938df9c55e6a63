// sysexits.h - the exit statuses spoolgate and its hooks speak, by name
//
// DESCRIPTION
//   sysexits.h's codes as Postfix's pipe(8) reads them (64 and 78 bounce, 75
//   defers), and the hook contract's own 99 (discard). One list, so that a
//   status is never a bare number in the code.
//
// SEE ALSO
//   sysexits(3), pipe(8), SPEC.md "The hook" and "--pipe".
#pragma once

namespace spoolgate {

inline constexpr int kExOk = 0;
inline constexpr int kExUsage = 64;        ///< EX_USAGE: bad option (bounces under pipe(8))
inline constexpr int kExDataErr = 65;      ///< EX_DATAERR
inline constexpr int kExNoInput = 66;      ///< EX_NOINPUT: a file that cannot be read
inline constexpr int kExNoUser = 67;       ///< EX_NOUSER
inline constexpr int kExNoHost = 68;       ///< EX_NOHOST
inline constexpr int kExUnavailable = 69;  ///< EX_UNAVAILABLE: rejected
inline constexpr int kExSoftware = 70;     ///< EX_SOFTWARE
inline constexpr int kExTempFail = 75;     ///< EX_TEMPFAIL: try again later
inline constexpr int kExNoPerm = 77;       ///< EX_NOPERM
inline constexpr int kExConfig = 78;       ///< EX_CONFIG (bounces under pipe(8))
inline constexpr int kHookDiscard = 99;    ///< a hook's "discard" (SPEC "The hook")

}  // namespace spoolgate
