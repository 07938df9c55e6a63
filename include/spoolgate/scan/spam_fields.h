// scan/spam_fields.h - the X-Spam-* header fields, as SpamAssassin writes them
//
// DESCRIPTION
//   In `headers` mode the spamassassin and rspamd hooks print the three
//   fields that filters downstream (Sieve, procmail, MUAs) already know:
//
//     X-Spam-Flag: YES|NO
//     X-Spam-Status: Yes|No, score=S required=T tests=A,B,...
//     X-Spam-Level: one "*" per whole point of score, at most 50
//
//   Scores have one decimal, as SpamAssassin's. X-Spam-Status is folded
//   after a comma of the test list, continuation lines beginning with a
//   tab, so that no line passes kFoldColumn unless one name alone does.
//   A name that is not one (empty, too long, or with a character outside
//   A-Z a-z 0-9 _ . -) is left out; the list is cut with "..." past
//   kMaxStatusTests octets.
#pragma once

#include <string>
#include <vector>

namespace spoolgate::scan {

struct SpamReport {
  bool spam = false;
  double score = 0;
  double required = 0;
  std::vector<std::string> tests;
};

/// The three fields, each line ending in LF.
std::string render_spam_fields(const SpamReport& report);

}  // namespace spoolgate::scan
