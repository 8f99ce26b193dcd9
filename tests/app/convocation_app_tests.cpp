// "Nouvelle séance" from an uploaded convocation (issue 23): the real `tribune serve`,
// POST /api/schedule/preview with a PDF the test writes itself, an ODT and a DOCX it zips,
// and the bad files a technician may send, each refused in French with nothing saved. How
// the agenda is found in the letter's text is core/convocation's tests.
#include <catch2/catch.hpp>

#include <csignal>
#include <string>
#include <vector>

#include "running_serve.h"
#include "support/pdf_writer.h"

using namespace tribune::testing;

namespace {

// The mayor's letter over two pages, footers and all.
std::string convocationPdf() {
  return writePdf({{{60, "MAIRIE DE DÉMO"},
                    {60, "1, place de la Mairie – 12345 Démo"},
                    {380, "Le 1er décembre 2026"},
                    {},
                    {60, "Mesdames, Messieurs,"},
                    {60, "J'ai l'honneur de vous convier à la séance du conseil municipal du jeudi"},
                    {60, "3 décembre 2026 à 19 h, salle du conseil, avec l'ordre du jour suivant :"},
                    {},
                    {60, "1. Approbation du procès-verbal de la séance du 15 octobre 2026"},
                    {60, "2. Tarifs municipaux 2027 : restauration scolaire, accueil périscolaire et"},
                    {75, "location des salles communales"},
                    {60, "3. Subvention exceptionnelle à l'association « Les Amis de l'orgue »"},
                    {},
                    {480, "Page 1/2"}},
                   {{60, "4. Convention avec le syndicat intercommunal d'énergie"},
                    {75, "Rapporteur : M. Thierry Morel, adjoint aux travaux"},
                    {60, "6. Groupement de commandes pour l'entretien de la voirie"},
                    {60, "6 bis - Avenant n°1 à la convention de groupement de commandes"},
                    {60, "7. Questions diverses"},
                    {},
                    {60, "Je vous prie d'agréer, Mesdames, Messieurs, mes salutations distinguées."},
                    {330, "Le Maire, Bernard Lefèvre"},
                    {},
                    {480, "Page 2/2"}}});
}

// Builds a zip (an ODT or a DOCX) of `files` with the `zip` command, `first` stored first
// and uncompressed (an ODT's "mimetype" must be).
std::string zipOf(const TempDir& dir, const std::string& name,
                  const std::vector<std::pair<std::string, std::string>>& files) {
  const auto root = dir.path() / (name + ".d");
  for (const auto& [path, content] : files) {
    std::filesystem::create_directories((root / path).parent_path());
    writeTextFile(root / path, content);
  }
  const auto archive = dir.path() / name;
  std::vector<std::string> argv{"zip", "-q", "-X", "-0", archive.string(), files.front().first};
  Process stored(argv, ProcessOptions{{}, {}, {}, root, true, true});
  REQUIRE(stored.waitFor(20s) == 0);
  argv = {"zip", "-q", "-X", "-r", archive.string()};
  for (std::size_t i = 1; i < files.size(); ++i) argv.push_back(files[i].first);
  Process rest(argv, ProcessOptions{{}, {}, {}, root, true, true});
  REQUIRE(rest.waitFor(20s) == 0);
  return readTextFile(archive);
}

const std::vector<std::string> kDocumentParagraphs{
    "Commune de Démo",
    "Le 1er décembre 2026",
    "Mesdames, Messieurs, vous êtes convoqués avec l'ordre du jour suivant :",
    "1. Budget primitif 2027 — Mme Claire Martin, adjointe aux finances",
    "2. Création d'un poste d'adjoint technique au service « Espaces verts »",
    "2 bis - Modification du tableau des effectifs",
    "Questions diverses",
    "Le Maire"};

std::string xmlEscaped(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '&') {
      out += "&amp;";
    } else if (c == '<') {
      out += "&lt;";
    } else if (c == '\'') {
      out += "&apos;";
    } else {
      out += c;
    }
  }
  return out;
}

std::string odtOf(const TempDir& dir) {
  std::string body;
  for (const auto& paragraph : kDocumentParagraphs) body += "<text:p>" + xmlEscaped(paragraph) + "</text:p>";
  return zipOf(dir, "convocation.odt",
               {{"mimetype", "application/vnd.oasis.opendocument.text"},
                {"content.xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><office:document-content "
                 "xmlns:office=\"urn:oasis:names:tc:opendocument:xmlns:office:1.0\" "
                 "xmlns:text=\"urn:oasis:names:tc:opendocument:xmlns:text:1.0\" office:version=\"1.2\"><office:body>"
                 "<office:text>" +
                     body + "</office:text></office:body></office:document-content>"},
                {"META-INF/manifest.xml",
                 "<?xml version=\"1.0\" encoding=\"UTF-8\"?><manifest:manifest "
                 "xmlns:manifest=\"urn:oasis:names:tc:opendocument:xmlns:manifest:1.0\" manifest:version=\"1.2\">"
                 "<manifest:file-entry manifest:full-path=\"/\" "
                 "manifest:media-type=\"application/vnd.oasis.opendocument.text\"/>"
                 "<manifest:file-entry manifest:full-path=\"content.xml\" manifest:media-type=\"text/xml\"/>"
                 "</manifest:manifest>"}});
}

std::string docxOf(const TempDir& dir) {
  std::string body;
  for (const auto& paragraph : kDocumentParagraphs) {
    body +=
        "<w:p w:rsidR=\"00A1B2C3\"><w:r><w:t xml:space=\"preserve\">" + xmlEscaped(paragraph) + "</w:t></w:r></w:p>";
  }
  return zipOf(
      dir, "convocation.docx",
      {{"[Content_Types].xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Types "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        "<Override PartName=\"/word/document.xml\" "
        "ContentType=\"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml\"/></Types>"},
       {"_rels/.rels",
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Relationships "
        "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
        "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
        "Target=\"word/document.xml\"/></Relationships>"},
       {"word/document.xml",
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?><w:document "
        "xmlns:w=\"http://schemas.openxmlformats.org/wordprocessingml/2006/main\"><w:body>" +
            body + "</w:body></w:document>"}});
}

const std::string kMeetingQuery = "title=Conseil%20municipal&date=2026-12-03&time=19%3A00&place=Salle%20du%20conseil";

}  // namespace

TEST_CASE("A meeting is created from the PDF convocation, read and reviewed before it is saved",
          "[convocation][serve]") {
  TempDir data;
  RunningServe tribune(data.path(), {{"branding", {{"commune", "Ville de Démo"}}}});
  auto reply = tribune.preview("name=Convocation%20CM%2003-12.PDF&" + kMeetingQuery, convocationPdf());
  INFO(reply.body);
  REQUIRE(reply.status == 200);
  const auto review = Json::parse(reply.body);
  CHECK(review["problems"].empty());
  CHECK(review["text"] ==
        "1. Approbation du procès-verbal de la séance du 15 octobre 2026\n"
        "2. Tarifs municipaux 2027 : restauration scolaire, accueil périscolaire et location des salles communales\n"
        "3. Subvention exceptionnelle à l'association « Les Amis de l'orgue »\n"
        "4. Convention avec le syndicat intercommunal d'énergie \u2014 M. Thierry Morel, adjoint aux travaux\n"
        "6. Groupement de commandes pour l'entretien de la voirie\n"
        "6 bis - Avenant n°1 à la convention de groupement de commandes\n"
        "7. Questions diverses\n");
  const auto& agenda = review["agenda"];
  CHECK(agenda["meeting"]["commune"] == "Ville de Démo");
  CHECK(agenda["meeting"]["date"] == "2026-12-03");
  CHECK(agenda["meeting"]["time"] == "19:00");
  CHECK(agenda["meeting"]["place"] == "Salle du conseil");
  REQUIRE(agenda["items"].size() == 7);
  CHECK(agenda["items"][3]["rapporteur"] == "M. Thierry Morel, adjoint aux travaux");
  CHECK(agenda["items"][5]["number"] == "6 bis");
  CHECK(agenda["items"][6]["kind"] == "question_diverse");
  // The review saved nothing; the console saves what it showed.
  auto schedule = tribune.schedule();
  CHECK(schedule["meetings"].empty());
  auto saved = tribune.api("POST", "/api/schedule", {{"revision", schedule["revision"]}, {"agenda", agenda}});
  INFO(saved.body);
  REQUIRE(saved.status == 200);
  schedule = tribune.schedule();
  REQUIRE(schedule["meetings"].size() == 1);
  CHECK(schedule["meetings"][0]["items"] == 7);
  CHECK(schedule["meetings"][0]["date"] == "2026-12-03");
}

TEST_CASE("The convocation as ODT or DOCX, and the agenda's own .txt and .json, give the review too",
          "[convocation][serve]") {
  TempDir data;
  RunningServe tribune(data.path(), {{"branding", {{"commune", "Ville de Démo"}}}});
  for (const auto& [name, bytes] : {std::pair{std::string("convocation.odt"), odtOf(data)},
                                    std::pair{std::string("Convocation.DOCX"), docxOf(data)}}) {
    INFO(name);
    const auto reply = tribune.preview("name=" + name + "&" + kMeetingQuery, bytes);
    INFO(reply.body);
    REQUIRE(reply.status == 200);
    const auto review = Json::parse(reply.body);
    const auto& items = review["agenda"]["items"];
    REQUIRE(items.size() == 4);
    CHECK(items[0]["title"] == "Budget primitif 2027");
    CHECK(items[0]["rapporteur"] == "Mme Claire Martin, adjointe aux finances");
    CHECK(items[1]["title"] == "Création d'un poste d'adjoint technique au service « Espaces verts »");
    CHECK(items[2]["number"] == "2 bis");
    CHECK(items[3]["number"] == "QD1");
    CHECK(items[3]["kind"] == "question_diverse");
  }
  auto text = tribune.preview("name=odj.txt&" + kMeetingQuery, "1. Budget\n6 bis - Voirie\n");
  REQUIRE(text.status == 200);
  CHECK(Json::parse(text.body)["agenda"]["items"][1]["number"] == "6 bis");
  // A JSON agenda keeps its meeting; the form's values, when given, replace them.
  const Json agenda{{"meeting", {{"commune", "Ville de Démo"}, {"date", "2026-12-10"}, {"time", "18:30"}}},
                    {"items", {{{"number", "1"}, {"title", "Budget"}}}}};
  auto json = tribune.preview("name=agenda.json", agenda.dump());
  REQUIRE(json.status == 200);
  CHECK(Json::parse(json.body)["agenda"]["meeting"]["date"] == "2026-12-10");
  json = tribune.preview("name=agenda.json&time=20%3A00", agenda.dump());
  REQUIRE(json.status == 200);
  CHECK(Json::parse(json.body)["agenda"]["meeting"]["time"] == "20:00");
  CHECK(tribune.schedule()["meetings"].empty());
}

TEST_CASE("Bad uploads are refused in French, saying what is wrong, and nothing is saved", "[convocation][serve]") {
  TempDir data;
  RunningServe tribune(data.path(), {{"branding", {{"commune", "Ville de Démo"}}}});
  const auto revision = tribune.schedule()["revision"];
  struct Case {
    std::string what;
    std::string query;
    std::string bytes;
    int status;
    std::string code;
    std::string message;  // the start of it
  };
  std::string exe = "MZ\x90";
  exe += std::string(3, '\0') + "This program cannot be run in DOS mode.";
  const std::vector<Case> cases{
      {"a PDF without text (a scan)", "name=scan.pdf&" + kMeetingQuery, writePdf({{}}), 400, "no_text",
       "Ce PDF ne contient pas de texte (document numérisé ?) : "},
      {"a PDF without an agenda", "name=lettre.pdf&" + kMeetingQuery,
       writePdf({{{60, "Mesdames, Messieurs,"}, {60, "Le conseil municipal est reporté au 10 décembre 2026."}}}), 400,
       "no_agenda", "Aucun point d'ordre du jour numéroté n'a été trouvé dans ce document."},
      {"a damaged PDF", "name=convocation.pdf&" + kMeetingQuery, "%PDF-1.4\n1 0 obj\n<< /Type /Cat \xFF garbage", 400,
       "unreadable_file", "Le fichier n'a pas pu être lu : il semble endommagé ou n'est pas un PDF."},
      {"a damaged DOCX", "name=convocation.docx&" + kMeetingQuery, std::string("PK\x03\x04", 4) + "not a zip at all",
       400, "unreadable_file", "Le fichier n'a pas pu être lu : il semble endommagé ou n'est pas un DOCX."},
      {"a program renamed .pdf", "name=convocation.pdf&" + kMeetingQuery, exe, 400, "wrong_format",
       "Le fichier n'a pas pu être lu : son nom dit PDF mais son contenu est un programme Windows (.exe)."},
      {"a PDF renamed .odt", "name=convocation.odt&" + kMeetingQuery, convocationPdf(), 400, "wrong_format",
       "Le fichier n'a pas pu être lu : son nom dit ODT mais son contenu est un PDF."},
      {"an empty file", "name=convocation.pdf&" + kMeetingQuery, "", 400, "empty_file", "Le fichier est vide."},
      {"an unknown kind", "name=convocation.rtf&" + kMeetingQuery, "{\\rtf1 1. Budget}", 400, "unknown_format",
       "Type de fichier non reconnu (« .rtf ») : envoyez la convocation en .pdf, .odt, .docx, .txt ou .json."},
      {"an old Word file", "name=convocation.doc&" + kMeetingQuery, "\xD0\xCF\x11\xE0", 400, "unknown_format",
       "Les anciens documents Word (.doc) ne sont pas lus"},
      {"no file name", kMeetingQuery, "1. Budget\n", 400, "missing_name", "Le nom du fichier manque"},
      {"a duplicate number", "name=convocation.pdf&" + kMeetingQuery,
       writePdf({{{60, "Ordre du jour :"}, {60, "1. Budget"}, {60, "2. Voirie"}, {60, "2. Écoles"}}}), 400,
       "invalid_agenda", "L'ordre du jour n'est pas valable : ligne 3 : numéro « 2 » déjà utilisé"},
      {"a meeting without its time", "name=odj.txt&title=Conseil&date=2026-12-03", "1. Budget\n", 400, "invalid_agenda",
       "Indiquez l'heure de la séance (HH:MM)"},
      {"a date the French way", "name=odj.txt&date=03%2F12%2F2026&time=19%3A00", "1. Budget\n", 400, "invalid_agenda",
       "L'ordre du jour n'est pas valable : meeting.date : "},
  };
  for (const auto& c : cases) {
    INFO(c.what);
    const auto reply = tribune.preview(c.query, c.bytes);
    INFO(reply.body);
    REQUIRE(reply.status == c.status);
    const auto error = Json::parse(reply.body);
    CHECK(error["type"] == "error");
    CHECK(error["status"] == c.status);
    CHECK(error["code"] == c.code);
    CHECK(error["message"].get<std::string>().rfind(c.message, 0) == 0);
    CHECK(error["problems"].is_array());
  }
  // The problems point at the lines of the text the review shows.
  const auto duplicate = Json::parse(
      tribune
          .preview("name=c.pdf&" + kMeetingQuery,
                   writePdf({{{60, "Ordre du jour :"}, {60, "1. Budget"}, {60, "2. Voirie"}, {60, "2. Écoles"}}}))
          .body);
  CHECK(duplicate["text"] == "1. Budget\n2. Voirie\n2. Écoles\n");
  REQUIRE(duplicate["problems"].size() == 1);
  CHECK(duplicate["problems"][0]["where"] == "ligne 3");

  // Another role may not upload.
  CHECK(tribune.preview("name=c.pdf&" + kMeetingQuery, convocationPdf(), "moderator").status == 403);
  // 50 MB: the web server refuses it before the station sees it (the console says "Fichier
  // trop volumineux (20 Mo au plus)" on a 413, whose body is the web server's English).
  const auto huge = tribune.preview("name=big.pdf&" + kMeetingQuery, "%PDF-1.4\n" + std::string(50u << 20, 'x'));
  CHECK(huge.status == 413);

  const auto schedule = tribune.schedule();
  CHECK(schedule["meetings"].empty());
  CHECK(schedule["revision"] == revision);
}
