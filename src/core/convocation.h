#pragma once
// The agenda inside a convocation (issue 23, "Nouvelle séance" in the console): the text of
// the letter the mayor sends to the councillors — letterhead, "Mesdames, Messieurs, …
// l'ordre du jour suivant :", the numbered items (a title may wrap over several lines),
// "Questions diverses", the signature, page numbers — as a PDF, ODT or DOCX turns into once
// its text is extracted (src/app/convocation.h). What is kept are the agenda's items, one
// per line, in the text format of docs/AGENDA.md, read by parseAgendaText. Pure: the app
// extracts the text and hands it in. See docs/SCHEDULE.md, "From the convocation".
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "core/agenda.h"

namespace tribune::core {

// The message when a document has no numbered item at all (where: "$").
inline constexpr std::string_view kNoAgendaInDocument =
    "Aucun point d'ordre du jour numéroté n'a été trouvé dans ce document.";

struct ConvocationAgenda {
  // The agenda's lines as understood, one item per line ("6 bis - Avenant n°1 …"): what the
  // review screen shows. The problems' "line N" count in this text, from 1.
  std::string text;
  // For each line of `text`, the document's line where that item starts (from 1).
  std::vector<std::size_t> documentLines;
  AgendaResult result;  // parseAgendaText(text, meeting), or the "$" problem above
};

// Keeps the numbered items ("1.", "2 -", "3)", "6 bis :", "QD1."), found after the first
// line that mentions "ordre du jour" (or anywhere when none does), joins the lines a wrapped
// title continues on (indented deeper than its item, or starting with a small letter, or
// after a number alone on its line), turns "Rapporteur : X" on the next line into the
// item's rapporteur, and drops the rest: prose, dates, addresses, page numbers ("Page 1/2",
// "- 2 -"). "Questions diverses" without a number becomes "QD1 - Questions diverses"; the
// bulleted questions listed under it, if any, become QD1, QD2… instead.
ConvocationAgenda agendaFromConvocation(std::string_view document, const MeetingInfo& meeting);

}  // namespace tribune::core
