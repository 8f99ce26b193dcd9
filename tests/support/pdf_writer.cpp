#include "support/pdf_writer.h"

#include <cstdio>
#include <stdexcept>

namespace tribune::testing {
namespace {

// A UTF-8 line as a PDF string in WinAnsiEncoding (Latin-1 plus the dashes and quotes).
std::string pdfString(const std::string& utf8) {
  std::string out = "(";
  for (std::size_t i = 0; i < utf8.size();) {
    const auto c = static_cast<unsigned char>(utf8[i]);
    unsigned code = c;
    std::size_t length = 1;
    if (c >= 0xE0) {
      code = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu) << 6) |
             (static_cast<unsigned char>(utf8[i + 2]) & 0x3Fu);
      length = 3;
    } else if (c >= 0xC0) {
      code = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(utf8[i + 1]) & 0x3Fu);
      length = 2;
    }
    i += length;
    if (code == 0x2013) code = 0x96;
    if (code == 0x2014) code = 0x97;
    if (code == 0x2019) code = 0x92;
    if (code > 0xFF) throw std::invalid_argument("not in WinAnsiEncoding: " + utf8);
    if (code == '(' || code == ')' || code == '\\') {
      out += '\\';
      out += static_cast<char>(code);
    } else if (code < 0x80) {
      out += static_cast<char>(code);
    } else {
      char octal[8];
      std::snprintf(octal, sizeof octal, "\\%03o", code);
      out += octal;
    }
  }
  return out + ")";
}

}  // namespace

std::string writePdf(const std::vector<std::vector<PdfLine>>& pages) {
  std::vector<std::string> objects;  // object n is objects[n - 1]
  const int pageCount = static_cast<int>(pages.size());
  std::string kids;
  for (int p = 0; p < pageCount; ++p) kids += std::to_string(4 + 2 * p) + " 0 R ";
  objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
  objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " + std::to_string(pageCount) + " >>");
  objects.push_back("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
  for (int p = 0; p < pageCount; ++p) {
    std::string content;
    int y = 800;
    for (const auto& line : pages[static_cast<std::size_t>(p)]) {
      if (!line.text.empty()) {
        content += "BT /F1 11 Tf " + std::to_string(line.x) + " " + std::to_string(y) + " Td " + pdfString(line.text) +
                   " Tj ET\n";
      }
      y -= 16;
    }
    if (content.empty()) content = "0.5 g 50 50 200 200 re f\n";  // a drawing, no text: a scan
    objects.push_back(
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
        "/Contents " +
        std::to_string(5 + 2 * p) + " 0 R >>");
    objects.push_back("<< /Length " + std::to_string(content.size()) + " >>\nstream\n" + content + "endstream");
  }
  std::string pdf = "%PDF-1.4\n%\xE2\xE3\xCF\xD3\n";
  std::vector<std::size_t> offsets;
  for (std::size_t n = 0; n < objects.size(); ++n) {
    offsets.push_back(pdf.size());
    pdf += std::to_string(n + 1) + " 0 obj\n" + objects[n] + "\nendobj\n";
  }
  const auto xref = pdf.size();
  pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
  for (const auto offset : offsets) {
    char entry[32];
    std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", offset);
    pdf += entry;
  }
  pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) + " /Root 1 0 R >>\nstartxref\n" +
         std::to_string(xref) + "\n%%EOF\n";
  return pdf;
}

}  // namespace tribune::testing
