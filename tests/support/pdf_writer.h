#pragma once
// A PDF written by hand for the tests of convocations (issue 23): one page per list of
// lines, Helvetica in WinAnsiEncoding, a correct cross-reference table — what a word
// processor's "export as PDF" gives, reduced to its text. poppler's pdftotext reads it.
#include <string>
#include <vector>

namespace tribune::testing {

struct PdfLine {
  int x;  // points from the left edge: a wrapped title's next line is indented deeper
  std::string text;
};

// A page without any text line is drawn as a grey square: a scan.
std::string writePdf(const std::vector<std::vector<PdfLine>>& pages);

}  // namespace tribune::testing
