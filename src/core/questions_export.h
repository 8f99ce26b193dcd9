#pragma once
// The questions of a meeting as files for the written replies (docs/QUESTIONS.md,
// "Durability and retention"): a CSV a French spreadsheet opens as it is, and JSON. Pure:
// the caller writes the text where it wants (GET /api/questions.csv, `tribune questions`).
// Both are reproducible: the same board gives the same bytes (no export time in them).
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/questions.h"

namespace tribune::core {

// For the written replies (docs/QUESTIONS.md "Durability and retention"): every question
// but deleted ones, in id order. CSV: UTF-8 with a BOM, ';' separators (what a French
// spreadsheet opens directly), CRLF, RFC 4180 quoting; a cell starting with = + - @ (or a
// tab/CR) gets a leading ' so no spreadsheet runs it. Columns: numero; statut (French label);
// status (stable name); texte; texte_original; pseudonyme; lieu; votes; rang (1-based queue
// place or empty); signalements (flags joined with ','); regroupee_avec; posee_le (UTC ISO 8601).
std::string questionsCsv(const QuestionBoard& board);

// {"meeting": id, "questions": [{id, status, status_label, text, original|null, pseudonym,
// place, votes, rank|null, flags, merged_into|null, asked_at}]}: the same questions as the
// CSV. `rank` is 0-based, as in the protocol's question view (the CSV's rang is 1-based, for
// people); `original` is null when the text was neither masked nor edited; `asked_at` is UTC
// ISO 8601. No export time ("exported_at"): exports are reproducible.
nlohmann::json questionsJson(const QuestionBoard& board, std::string_view meetingId);

}  // namespace tribune::core
