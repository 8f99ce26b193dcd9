#pragma once
// "Nouvelle séance" from the file the technician uploads (issue 23; docs/SCHEDULE.md,
// "From the convocation"): an agenda file (.json, .txt) or the convocation itself (.pdf,
// .odt, .docx), whose text Debian's own tools extract — pdftotext (poppler-utils), odt2txt,
// docx2txt — before core/convocation.h keeps its numbered items. Nothing is saved here:
// the answer is the review screen's, and the console saves with POST /api/schedule.
#include <string>
#include <string_view>

#include "core/agenda.h"
#include "web/web_server.h"

namespace tribune::app {

enum class UploadKind { Json, Text, Pdf, Odt, Docx };

struct ConvocationRead {
  std::string text;  // what the review screen shows: the agenda's text as read
  core::AgendaResult result;
  // When the file itself could not be read (empty, damaged, of another kind, a scan, a tool
  // missing or too slow): a code, a French message and the HTTP status; result is then empty.
  std::string errorCode;
  std::string errorMessage;
  int errorStatus = 400;
  [[nodiscard]] bool readable() const { return errorCode.empty(); }
};

// From the file's name ("Convocation CM.PDF" → Pdf), or an error naming the formats.
struct KindOrError {
  UploadKind kind = UploadKind::Json;
  std::string error;  // French; empty when the kind is known
};
KindOrError uploadKindFromName(std::string_view fileName);

// Reads the file's bytes as `kind`, checking that its content is of that kind (a ".pdf"
// starts with "%PDF-", an ".odt" or ".docx" is a zip), and extracts its agenda. The
// meeting's title, date, time and place come from `meeting` (a JSON agenda keeps its own,
// those given here replacing them).
ConvocationRead readConvocation(std::string_view bytes, UploadKind kind, const core::MeetingInfo& meeting);

// POST /api/schedule/preview?name=FILE&title=…&date=…&time=…&place=…, the body the file's
// bytes: 200 {"text", "agenda", "problems": []}, or 400 {"type": "error", "status", "code",
// "message", "problems", "text"}. The caller checked the technician's token.
web::HttpResponse previewConvocation(const web::HttpRequest& request, const std::string& commune);

}  // namespace tribune::app
