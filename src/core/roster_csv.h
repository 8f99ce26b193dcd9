#pragma once
// The council's roster from a spreadsheet (issue 23): a CSV file the town hall exports from
// its own list of councillors, one per line, read into the agenda's `councillors`. Pure:
// the app hands the text in.
//
// The first line names the columns, in any order, French or English, case and accents
// ignored: `nom`/`name` (required), `fonction`/`rôle`/`role`, `groupe`/`group`,
// `id`/`identifiant` (when absent, ids are made: "cm-01", "cm-02"…). The separator is the
// first of `;`, `,` or a tab found in that line (a French spreadsheet writes `;`). Fields
// may be quoted ("Martin, Claire"), with "" for a quote. A UTF-8 byte order mark and
// Windows line ends are accepted.
#include <string>
#include <string_view>
#include <vector>

#include "core/agenda.h"
#include "core/councillor.h"

namespace tribune::core {

struct RosterResult {
  std::vector<Councillor> councillors;  // meaningful only when problems is empty
  std::vector<AgendaProblem> problems;  // "ligne 4" (counted from 1, the header is line 1)
  [[nodiscard]] bool ok() const { return problems.empty(); }
};

RosterResult parseRosterCsv(std::string_view text);

}  // namespace tribune::core
