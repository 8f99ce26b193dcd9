#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "core/agenda.h"

using namespace tribune::core;

namespace {

std::string describe(const std::vector<AgendaProblem>& problems) {
  std::ostringstream out;
  for (const auto& problem : problems) out << problem.where << ": " << problem.message << "\n";
  return out.str();
}

std::vector<std::string> placesOf(const std::vector<AgendaProblem>& problems) {
  std::vector<std::string> places;
  places.reserve(problems.size());
  for (const auto& problem : problems) places.push_back(problem.where);
  return places;
}

const std::string kMeetingJson = R"("meeting": {"commune": "Ville de Démo", "date": "2026-12-03"})";

// A document with a valid meeting and the given items (the inside of the array).
std::string withItems(const std::string& items) { return "{" + kMeetingJson + R"(, "items": [)" + items + "]}"; }

// A document with the given meeting members and one valid item.
std::string withMeeting(const std::string& members) {
  return R"({"meeting": {)" + members + R"(}, "items": [{"title": "Point unique"}]})";
}

// Expects exactly one problem, at `where`, whose message contains `fragment`.
void requireSingleProblem(const AgendaResult& result, const std::string& where, const std::string& fragment) {
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].where == where);
  CHECK_THAT(result.problems[0].message, Catch::Contains(fragment));
}

void requireSingleJsonProblem(const std::string& text, const std::string& where, const std::string& fragment) {
  INFO(text);
  requireSingleProblem(parseAgendaJson(text), where, fragment);
}

MeetingInfo demoMeeting() {
  return {"Ville de Démo", "Conseil municipal", "2026-12-03", "19:00", "Salle du conseil, hôtel de ville"};
}

AgendaResult parseText(const std::string& text) { return parseAgendaText(text, demoMeeting()); }

// The only item of a one-line text, which must parse.
AgendaItem singleItem(const std::string& line) {
  const auto result = parseText(line);
  INFO(line);
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.agenda.items.size() == 1);
  return result.agenda.items[0];
}

void requireSingleTextProblem(const std::string& text, const std::string& where, const std::string& fragment) {
  INFO(text);
  requireSingleProblem(parseText(text), where, fragment);
}

std::string repeated(const std::string& piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

std::string readExample(const std::string& name) {
  std::ifstream file(std::string(TRIBUNE_SOURCE_DIR "/examples/") + name, std::ios::binary);
  REQUIRE(file.good());
  return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Kinds

TEST_CASE("each item kind has an id and a French label, and the id reads back", "[agenda]") {
  struct Case {
    ItemKind kind;
    std::string id;
    std::string label;
  };
  for (const auto& c : std::vector<Case>{{ItemKind::Deliberation, "deliberation", "Délibération"},
                                         {ItemKind::Information, "information", "Information"},
                                         {ItemKind::QuestionDiverse, "question_diverse", "Question diverse"}}) {
    CHECK(toString(c.kind) == c.id);
    CHECK(frenchLabel(c.kind) == c.label);
    CHECK(itemKindFromString(c.id) == c.kind);
  }
  CHECK_FALSE(itemKindFromString("Deliberation").has_value());
  CHECK_FALSE(itemKindFromString("").has_value());
}

// ---------------------------------------------------------------------------------------
// JSON: what is read

TEST_CASE("a realistic JSON agenda is read with every member", "[agenda][json]") {
  const auto result = parseAgendaJson(R"({
    "meeting": {
      "commune": "Saint-Martin-des-Champs",
      "title": "Conseil municipal extraordinaire",
      "date": "2026-06-30",
      "time": "20:30",
      "place": "Salle polyvalente"
    },
    "items": [
      {"number": "1", "title": "Désignation du secrétaire de séance", "rapporteur": "M. le Maire"},
      {"number": 2, "title": "Budget primitif 2027", "rapporteur": "Mme Élise Roux, adjointe aux finances",
       "kind": "deliberation"},
      {"number": "12 bis", "title": "Information : travaux de l'église", "kind": "information"},
      {"number": "QD1", "title": "Éclairage public", "kind": "question_diverse", "rapporteur": "M. Léon Petit"}
    ]
  })");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const MeetingInfo meeting{"Saint-Martin-des-Champs", "Conseil municipal extraordinaire", "2026-06-30", "20:30",
                            "Salle polyvalente"};
  CHECK(result.agenda.meeting == meeting);
  const std::vector<AgendaItem> items{
      {"1", "Désignation du secrétaire de séance", "M. le Maire", ItemKind::Deliberation},
      {"2", "Budget primitif 2027", "Mme Élise Roux, adjointe aux finances", ItemKind::Deliberation},
      {"12 bis", "Information : travaux de l'église", "", ItemKind::Information},
      {"QD1", "Éclairage public", "M. Léon Petit", ItemKind::QuestionDiverse},
  };
  CHECK(result.agenda.items == items);
}

TEST_CASE("a minimal JSON agenda takes every default", "[agenda][json]") {
  const auto result = parseAgendaJson(withItems(R"({"title": "Premier point"}, {"title": "Second point"})"));
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& meeting = result.agenda.meeting;
  CHECK(meeting.commune == "Ville de Démo");
  CHECK(meeting.title == "Conseil municipal");
  CHECK(meeting.date == "2026-12-03");
  CHECK(meeting.time.empty());
  CHECK(meeting.place.empty());
  const std::vector<AgendaItem> items{{"1", "Premier point", "", ItemKind::Deliberation},
                                      {"2", "Second point", "", ItemKind::Deliberation}};
  CHECK(result.agenda.items == items);
}

TEST_CASE("an item without a number is numbered by its position among all items", "[agenda][json]") {
  const auto result = parseAgendaJson(withItems(R"({"number": "A", "title": "a"}, {"title": "b"}, {"title": "c"})"));
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  REQUIRE(result.agenda.items.size() == 3);
  CHECK(result.agenda.items[1].number == "2");
  CHECK(result.agenda.items[2].number == "3");
}

TEST_CASE("empty optional rapporteur, place and time mean none", "[agenda][json]") {
  const auto result =
      parseAgendaJson(R"({"meeting": {"commune": "Ville de Démo", "date": "2026-12-03", "time": "", "place": " "},
                          "items": [{"title": "Point", "rapporteur": ""}]})");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  CHECK(result.agenda.meeting.time.empty());
  CHECK(result.agenda.meeting.place.empty());
  CHECK(result.agenda.items[0].rapporteur.empty());
}

TEST_CASE("titles and names are trimmed and otherwise kept verbatim, accents and tabs included", "[agenda][json]") {
  // Spaces, tabs, no-break spaces (U+00A0) and narrow no-break spaces (U+202F) are trimmed.
  const auto result = parseAgendaJson(R"({
    "meeting": {"commune": "  Ville de Démo\t", "date": "2026-12-03", "place": "\u00a0Hôtel de ville\u202f"},
    "items": [{"number": " 12 bis ", "title": "  Réfection de l'église Saint-Étienne\u00a0: 2ᵉ tranche\tlot n°3 ",
               "rapporteur": " Mme Zoé Lœuillet-N'Guyen "}]
  })");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  CHECK(result.agenda.meeting.commune == "Ville de Démo");
  CHECK(result.agenda.meeting.place == "Hôtel de ville");
  const auto& item = result.agenda.items.at(0);
  CHECK(item.number == "12 bis");
  CHECK(item.title == "Réfection de l'église Saint-Étienne\u00a0: 2ᵉ tranche\tlot n°3");
  CHECK(item.rapporteur == "Mme Zoé Lœuillet-N'Guyen");
}

// ---------------------------------------------------------------------------------------
// JSON: shape and types

TEST_CASE("JSON that does not parse is reported with its line and column", "[agenda][json]") {
  const auto result = parseAgendaJson("{\n  \"meeting\": {\"commune\": \"Démo\",}\n}");
  REQUIRE(result.problems.size() == 1);
  // The column counts characters: "é" is one column, as in an editor.
  CHECK(result.problems[0].where == "ligne 2, colonne 33");
  CHECK_THAT(result.problems[0].message, Catch::Equals("JSON invalide : « } » inattendu ici"));

  CHECK(parseAgendaJson(R"({"items": [)").problems.at(0).where == "ligne 1, colonne 12");
  CHECK(parseAgendaJson("{\n\n  \"items\" []}").problems.at(0).where == "ligne 3, colonne 11");
}

TEST_CASE("why JSON does not parse is said in French", "[agenda][json]") {
  CHECK(parseAgendaJson(R"({"items": [)").problems.at(0).message ==
        "JSON invalide : le texte s'arrête trop tôt (accolade ou crochet non fermé ?)");
  CHECK(parseAgendaJson(R"({"items" []})").problems.at(0).message ==
        "JSON invalide : « [ » inattendu ici (attendu « : »)");
  CHECK(parseAgendaJson(R"({"items": [tru]})").problems.at(0).message == "JSON invalide près de « \"items\": [tru] »");
  CHECK(parseAgendaJson(R"({"items": [] "meeting": {}})").problems.at(0).message ==
        "JSON invalide : valeur inattendue ici (attendu « } »)");
}

TEST_CASE("invalid UTF-8 in a JSON file is reported with its position and the fix", "[agenda][json]") {
  const auto result = parseAgendaJson("{\"meeting\": {\"commune\": \"D\xe9mo\"}}");
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0].where == "ligne 1, colonne 27");
  CHECK_THAT(result.problems[0].message,
             Catch::Contains("UTF-8") && Catch::Contains("enregistrez le fichier en UTF-8"));
}

TEST_CASE("an empty or blank JSON text is reported at $", "[agenda][json]") {
  for (const std::string text : {"", "  \n\t\r\n", "\xEF\xBB\xBF"}) {
    requireSingleJsonProblem(text, "$", "l'ordre du jour est vide");
  }
}

TEST_CASE("a JSON file with a byte-order mark is read", "[agenda][json]") {
  const auto result = parseAgendaJson("\xEF\xBB\xBF" + withItems(R"({"title": "Point"})"));
  INFO(describe(result.problems));
  CHECK(result.ok());
}

TEST_CASE("a JSON document that is not an object is reported at $", "[agenda][json]") {
  for (const std::string text : {"[]", "42", "\"ordre du jour\"", "null", "true"}) {
    requireSingleJsonProblem(text, "$", "attendu un objet, reçu ");
  }
  CHECK(parseAgendaJson("[]").problems.at(0).message == "attendu un objet, reçu un tableau");
}

TEST_CASE("the meeting and the items are required", "[agenda][json]") {
  const auto result = parseAgendaJson("{}");
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 2);
  CHECK(result.problems[0].where == "meeting");
  CHECK_THAT(result.problems[0].message, Catch::StartsWith("obligatoire"));
  CHECK(result.problems[1] == AgendaProblem{"items", "obligatoire : la liste des points de l'ordre du jour"});
}

TEST_CASE("the commune and the date are required in the meeting", "[agenda][json]") {
  const auto result = parseAgendaJson(R"({"meeting": {"title": "Conseil municipal"}, "items": [{"title": "a"}]})");
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 2);
  CHECK(result.problems[0].where == "meeting.commune");
  CHECK_THAT(result.problems[0].message, Catch::StartsWith("obligatoire : le nom de la commune"));
  CHECK(result.problems[1].where == "meeting.date");
  CHECK_THAT(result.problems[1].message, Catch::StartsWith("obligatoire : la date de la séance au format AAAA-MM-JJ"));
}

TEST_CASE("an item's title is required and must not be empty", "[agenda][json]") {
  requireSingleJsonProblem(withItems(R"({"number": "1"})"), "items[0].title", "obligatoire : le titre du point");
  requireSingleJsonProblem(withItems(R"({"title": ""})"), "items[0].title", "ne doit pas être vide");
  requireSingleJsonProblem(withItems(R"({"title": " \t\u00a0 "})"), "items[0].title", "ne doit pas être vide");
}

TEST_CASE("a JSON value of the wrong type names the expected type", "[agenda][json]") {
  struct Case {
    std::string document;
    std::string where;
    std::string message;
  };
  const std::vector<Case> cases = {
      {R"({"meeting": "Ville de Démo", "items": [{"title": "a"}]})", "meeting", "attendu un objet, reçu une chaîne"},
      {withMeeting(R"("commune": 7, "date": "2026-12-03")"), "meeting.commune",
       "attendu une chaîne, reçu un nombre entier"},
      {withMeeting(R"("commune": "A", "title": true, "date": "2026-12-03")"), "meeting.title",
       "attendu une chaîne, reçu un booléen"},
      {withMeeting(R"("commune": "A", "date": 20261203)"), "meeting.date", "attendu une chaîne, reçu un nombre entier"},
      {withMeeting(R"("commune": "A", "date": "2026-12-03", "time": 19.0)"), "meeting.time",
       "attendu une chaîne, reçu un nombre décimal"},
      {withMeeting(R"("commune": "A", "date": "2026-12-03", "place": null)"), "meeting.place",
       "attendu une chaîne, reçu null"},
      {"{" + kMeetingJson + R"(, "items": {"title": "a"}})", "items", "attendu un tableau, reçu un objet"},
      {withItems(R"("Approbation du procès-verbal")"), "items[0]", "attendu un objet, reçu une chaîne"},
      {withItems(R"({"title": ["a"]})"), "items[0].title", "attendu une chaîne, reçu un tableau"},
      {withItems(R"({"title": "a", "rapporteur": {}})"), "items[0].rapporteur", "attendu une chaîne, reçu un objet"},
      {withItems(R"({"title": "a", "kind": 1})"), "items[0].kind", "attendu une chaîne, reçu un nombre entier"},
      {withItems(R"({"title": "a", "number": 1.5})"), "items[0].number",
       "attendu une chaîne ou un nombre entier positif, reçu un nombre décimal"},
      {withItems(R"({"title": "a", "number": null})"), "items[0].number",
       "attendu une chaîne ou un nombre entier positif, reçu null"},
      {withItems(R"({"title": "a", "number": true})"), "items[0].number",
       "attendu une chaîne ou un nombre entier positif, reçu un booléen"},
  };
  for (const auto& c : cases) {
    const auto result = parseAgendaJson(c.document);
    INFO(c.document);
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0] == AgendaProblem{c.where, c.message});
  }
}

TEST_CASE("an unknown JSON key is an error at every level, with a suggestion for a typo", "[agenda][json]") {
  requireSingleJsonProblem(R"({"meeting": {"commune": "A", "date": "2026-12-03"}, "items": [{"title": "a"}],
                               "itmes": []})",
                           "itmes", "clé inconnue « itmes » (vouliez-vous dire « items » ?)");
  requireSingleJsonProblem(withMeeting(R"("commune": "A", "date": "2026-12-03", "lieu": "Mairie")"), "meeting.lieu",
                           "clé inconnue « lieu » ; clés connues : commune, title, date, time, place");
  requireSingleJsonProblem(withMeeting(R"("comune": "A", "commune": "A", "date": "2026-12-03")"), "meeting.comune",
                           "vouliez-vous dire « commune » ?");
  requireSingleJsonProblem(withItems(R"({"titel": "a", "title": "a"})"), "items[0].titel",
                           "clé inconnue « titel » (vouliez-vous dire « title » ?)");
  requireSingleJsonProblem(withItems(R"({"title": "a", "rapporteuse": "Mme X"})"), "items[0].rapporteuse",
                           "vouliez-vous dire « rapporteur » ?");
  requireSingleJsonProblem(withItems(R"({"title": "a", "vote": "pour"})"), "items[0].vote",
                           "clés connues : number, title, rapporteur, kind");
}

TEST_CASE("a key given twice in a JSON object is refused", "[agenda][json]") {
  requireSingleJsonProblem(withItems(R"({"title": "Budget", "title": "Budget primitif"})"), "items[0].title",
                           "la clé « title » apparaît plusieurs fois dans cet objet");
  requireSingleJsonProblem(withMeeting(R"("commune": "A", "date": "2026-12-03", "date": "2026-12-04")"), "meeting.date",
                           "apparaît plusieurs fois");
  requireSingleJsonProblem(R"({"meeting": {"commune": "A", "date": "2026-12-03"}, "items": [{"title": "a"}],
                               "meeting": {"commune": "A", "date": "2026-12-03"}})",
                           "meeting", "apparaît plusieurs fois");
}

// ---------------------------------------------------------------------------------------
// JSON: values

TEST_CASE("the meeting date must be a real calendar date written YYYY-MM-DD", "[agenda][json]") {
  struct Case {
    std::string date;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"2026-02-29", "« 2026-02-29 » n'est pas une date du calendrier : 2026-02 a 28 jours"},
      {"2026-04-31", "« 2026-04-31 » n'est pas une date du calendrier : 2026-04 a 30 jours"},
      {"2026-12-00", "« 2026-12-00 » n'est pas une date du calendrier : 2026-12 a 31 jours"},
      {"2026-13-01", "« 2026-13-01 » n'est pas une date du calendrier : les mois vont de 01 à 12"},
      {"2026-00-10", "« 2026-00-10 » n'est pas une date du calendrier : les mois vont de 01 à 12"},
      {"2026-12-3", "date attendue au format AAAA-MM-JJ (vouliez-vous dire « 2026-12-03 » ?)"},
      {"03/12/2026", "date attendue au format AAAA-MM-JJ (vouliez-vous dire « 2026-12-03 » ?)"},
      {"3.12.2026", "date attendue au format AAAA-MM-JJ (vouliez-vous dire « 2026-12-03 » ?)"},
      {"2026/12/03", "date attendue au format AAAA-MM-JJ (vouliez-vous dire « 2026-12-03 » ?)"},
      {"31/02/2026", "date attendue au format AAAA-MM-JJ, par exemple « 2026-12-03 »"},
      {"jeudi 3 décembre", "date attendue au format AAAA-MM-JJ, par exemple « 2026-12-03 »"},
      {"2026-12-03T19:00", "date attendue au format AAAA-MM-JJ, par exemple « 2026-12-03 »"},
      {"", "ne doit pas être vide"},
  };
  for (const auto& c : cases) {
    const auto text = withMeeting(R"("commune": "A", "date": ")" + c.date + R"(")");
    const auto result = parseAgendaJson(text);
    INFO(text);
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0] == AgendaProblem{"meeting.date", c.message});
  }
  for (const std::string date : {"2024-02-29", "2000-02-29", "2026-12-31", "2026-01-01"}) {
    INFO(date);
    CHECK(parseAgendaJson(withMeeting(R"("commune": "A", "date": ")" + date + R"(")")).ok());
  }
}

TEST_CASE("isCalendarDate accepts only real days written YYYY-MM-DD", "[agenda]") {
  CHECK(isCalendarDate("2026-12-03"));
  CHECK(isCalendarDate("2024-02-29"));
  CHECK_FALSE(isCalendarDate("2100-02-29"));
  CHECK_FALSE(isCalendarDate("2026-12-32"));
  CHECK_FALSE(isCalendarDate("2026-1-03"));
  CHECK_FALSE(isCalendarDate(" 2026-12-03"));
  CHECK_FALSE(isCalendarDate("2026+12+03"));
}

TEST_CASE("the meeting time must be HH:MM on the 24-hour clock", "[agenda][json]") {
  struct Case {
    std::string time;
    std::string suggestion;  // empty when none is offered
  };
  const std::vector<Case> cases = {
      {"19h00", "19:00"}, {"19h", "19:00"}, {"7:30", "07:30"}, {"19.30", "19:30"}, {"9H15", "09:15"},
      {"24:00", ""},      {"19:60", ""},    {"7 pm", ""},      {"19:00:00", ""},   {"dix-neuf heures", ""},
  };
  for (const auto& c : cases) {
    const auto text = withMeeting(R"("commune": "A", "date": "2026-12-03", "time": ")" + c.time + R"(")");
    const std::string expected = "heure attendue au format HH:MM sur 24 heures" +
                                 (c.suggestion.empty() ? std::string(", par exemple « 19:00 »")
                                                       : " (vouliez-vous dire « " + c.suggestion + " » ?)");
    const auto result = parseAgendaJson(text);
    INFO(text);
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0] == AgendaProblem{"meeting.time", expected});
  }
  CHECK(isClockTime("00:00"));
  CHECK(isClockTime("23:59"));
  CHECK_FALSE(isClockTime("24:00"));
  CHECK_FALSE(isClockTime("9:00"));
}

TEST_CASE("an item title may have 300 characters, accented ones counting as one", "[agenda][json]") {
  const auto longest = repeated("é", kMaxItemTitleLength);  // 600 bytes
  const auto accepted = parseAgendaJson(withItems(R"({"title": ")" + longest + R"("})"));
  INFO(describe(accepted.problems));
  REQUIRE(accepted.ok());
  CHECK(accepted.agenda.items[0].title == longest);

  requireSingleJsonProblem(withItems(R"({"title": ")" + longest + R"(e"})"), "items[0].title",
                           "trop long : 301 caractères, au plus 300");
}

TEST_CASE("a commune, meeting title, place or rapporteur over 200 characters is refused", "[agenda][json]") {
  const auto tooLong = repeated("a", kMaxAgendaNameLength + 1);
  const std::string message = "trop long : 201 caractères, au plus 200";
  requireSingleJsonProblem(withMeeting(R"("commune": ")" + tooLong + R"(", "date": "2026-12-03")"), "meeting.commune",
                           message);
  requireSingleJsonProblem(withMeeting(R"("commune": "A", "title": ")" + tooLong + R"(", "date": "2026-12-03")"),
                           "meeting.title", message);
  requireSingleJsonProblem(withMeeting(R"("commune": "A", "date": "2026-12-03", "place": ")" + tooLong + R"(")"),
                           "meeting.place", message);
  requireSingleJsonProblem(withItems(R"({"title": "a", "rapporteur": ")" + tooLong + R"("})"), "items[0].rapporteur",
                           message);
}

TEST_CASE("control characters other than tab are refused in every text", "[agenda][json]") {
  struct Case {
    std::string escaped;  // as written in the JSON string
    std::string codePoint;
  };
  const std::vector<Case> cases = {
      {R"(\n)", "U+000A"},     {R"(\r)", "U+000D"},     {R"(\u0007)", "U+0007"},
      {R"(\u0000)", "U+0000"}, {R"(\u007f)", "U+007F"}, {R"(\u0085)", "U+0085"},
  };
  for (const auto& c : cases) {
    requireSingleJsonProblem(
        withItems(R"({"title": "Budget)" + c.escaped + R"(primitif"})"), "items[0].title",
        "contient le caractère de contrôle " + c.codePoint + ", interdit (seule la tabulation est permise)");
  }
  requireSingleJsonProblem(withItems(R"({"title": "a", "rapporteur": "M.\u0001X"})"), "items[0].rapporteur", "U+0001");
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": "1\n"})"), "items[0].number", "U+000A");
  requireSingleJsonProblem(withMeeting(R"("commune": "Ville\u001bDémo", "date": "2026-12-03")"), "meeting.commune",
                           "U+001B");
}

TEST_CASE("an item number must be a positive integer or a short non-empty string", "[agenda][json]") {
  const std::string positive = "attendu un nombre entier positif (1, 2, …) ou une chaîne comme « 12 bis », reçu ";
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": 0})"), "items[0].number", positive + "0");
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": -3})"), "items[0].number", positive + "-3");
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": ""})"), "items[0].number", "ne doit pas être vide");
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": "123 quinquies bis"})"), "items[0].number",
                           "trop long : 17 caractères, au plus 16");
  requireSingleJsonProblem(withItems(R"({"title": "a", "number": 18446744073709551615})"), "items[0].number",
                           "trop long : 20 caractères, au plus 16");
}

TEST_CASE("an unknown kind lists the kinds, with a suggestion", "[agenda][json]") {
  const std::string choices = " ; types possibles : deliberation, information, question_diverse";
  requireSingleJsonProblem(withItems(R"({"title": "a", "kind": "deliberaton"})"), "items[0].kind",
                           "type inconnu « deliberaton » (vouliez-vous dire « deliberation » ?)" + choices);
  requireSingleJsonProblem(withItems(R"({"title": "a", "kind": "question diverse"})"), "items[0].kind",
                           "(vouliez-vous dire « question_diverse » ?)");
  // The French label, typed in place of the id.
  requireSingleJsonProblem(withItems(R"({"title": "a", "kind": "Délibération"})"), "items[0].kind",
                           "type inconnu « Délibération » (vouliez-vous dire « deliberation » ?)");
  requireSingleJsonProblem(withItems(R"({"title": "a", "kind": "vote"})"), "items[0].kind",
                           "type inconnu « vote »" + choices);
}

TEST_CASE("duplicate item numbers are refused, given or by position", "[agenda][json]") {
  requireSingleJsonProblem(withItems(R"({"number": "3", "title": "a"}, {"number": 3, "title": "b"})"),
                           "items[1].number", "numéro « 3 » déjà utilisé par items[0]");
  // Numbers are compared ignoring case and spaces.
  requireSingleJsonProblem(withItems(R"({"number": "12 bis", "title": "a"}, {"number": "12BIS", "title": "b"})"),
                           "items[1].number", "numéro « 12BIS » déjà utilisé par items[0]");
  requireSingleJsonProblem(withItems(R"({"number": "2", "title": "a"}, {"title": "b"})"), "items[1]",
                           "numéro « 2 » (sa position, faute de numéro propre) déjà utilisé par "
                           "items[0]");
  requireSingleJsonProblem(withItems(R"({"title": "a"}, {"number": "1", "title": "b"})"), "items[1].number",
                           "numéro « 1 » déjà utilisé par items[0]");
}

TEST_CASE("an agenda has at least one item and at most 200", "[agenda][json]") {
  requireSingleJsonProblem(withItems(""), "items", "doit contenir au moins un point");

  std::string items;
  for (std::size_t i = 0; i < kMaxAgendaItems; ++i) items += std::string(i == 0 ? "" : ",") + R"({"title": "p"})";
  const auto full = parseAgendaJson(withItems(items));
  INFO(describe(full.problems));
  CHECK(full.ok());
  CHECK(full.agenda.items.size() == kMaxAgendaItems);

  requireSingleJsonProblem(withItems(items + R"(, {"title": "p"})"), "items", "trop de points : 201, au plus 200");
}

TEST_CASE("a JSON agenda with several mistakes reports all of them in document order", "[agenda][json]") {
  const auto result = parseAgendaJson(R"({
    "meeting": {"comune": "Démo", "date": "2026-02-30", "time": "19h"},
    "items": [
      {"number": "1", "title": ""},
      {"number": "1", "title": "Budget", "kind": "vote"},
      {"title": "Subventions", "rapporteur": 5},
      {"number": 0}
    ],
    "extra": true
  })");
  const std::vector<std::string> expected = {
      "meeting.comune",  "meeting.date",    "meeting.time",  "meeting.commune",
      "items[0].title",  "items[1].number", "items[1].kind", "items[2].rapporteur",
      "items[3].number", "items[3].title",  "extra",
  };
  INFO(describe(result.problems));
  CHECK(placesOf(result.problems) == expected);
  CHECK_FALSE(result.ok());
}

// ---------------------------------------------------------------------------------------
// Plain text

TEST_CASE("each line of a text is an item, numbered by its position when it has no number", "[agenda][text]") {
  const auto result = parseText("Approbation du procès-verbal\nBudget primitif 2027\nSubventions aux associations\n");
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  CHECK(result.agenda.meeting == demoMeeting());
  const std::vector<AgendaItem> items{{"1", "Approbation du procès-verbal", "", ItemKind::Deliberation},
                                      {"2", "Budget primitif 2027", "", ItemKind::Deliberation},
                                      {"3", "Subventions aux associations", "", ItemKind::Deliberation}};
  CHECK(result.agenda.items == items);
}

TEST_CASE("blank lines and # comments are skipped but still counted as lines", "[agenda][text]") {
  const auto result = parseText("# Ordre du jour\n\n   \nPremier point\n\t# commentaire indenté\nSecond point\n3.");
  REQUIRE(result.problems.size() == 1);
  CHECK(result.problems[0] == AgendaProblem{"ligne 7", "pas de titre après le numéro"});
}

TEST_CASE("a leading number in each accepted form becomes the item's number", "[agenda][text]") {
  struct Case {
    std::string line;
    std::string number;
    std::string title;
  };
  const std::vector<Case> cases = {
      {"1. Approbation du procès-verbal", "1", "Approbation du procès-verbal"},
      {"2) Budget primitif", "2", "Budget primitif"},
      {"3 - Subventions", "3", "Subventions"},
      {"4- Tarifs", "4", "Tarifs"},
      {"5 : Convention", "5", "Convention"},
      {"6 — Avenant", "6", "Avenant"},
      {"7 – Personnel", "7", "Personnel"},
      {"8 -- Voirie", "8", "Voirie"},
      {"12 bis - Avenant n°1", "12 bis", "Avenant n°1"},
      {"12bis. Avenant n°2", "12bis", "Avenant n°2"},
      {"12 TER) Avenant n°3", "12 TER", "Avenant n°3"},
      {"5a. Acquisition foncière", "5a", "Acquisition foncière"},
      {"42.\tMotion", "42", "Motion"},
      {"9\u00a0: Désignation", "9", "Désignation"},
  };
  for (const auto& c : cases) {
    const auto item = singleItem(c.line);
    CHECK(item.number == c.number);
    CHECK(item.title == c.title);
    CHECK(item.kind == ItemKind::Deliberation);
  }
}

TEST_CASE("digits that start a title without a separator belong to the title", "[agenda][text]") {
  for (const std::string line :
       {"14 juillet : organisation des festivités", "1.5 M€ de travaux de voirie", "2026-2027 : tarifs de la cantine",
        "3e tranche de l'éclairage public", "1bis de la rue Haute : alignement", "100 ans de l'école"}) {
    const auto item = singleItem(line);
    CHECK(item.title == line);
    CHECK(item.number == "1");
  }
}

TEST_CASE("the rapporteur follows an em dash, an en dash or a double hyphen", "[agenda][text]") {
  struct Case {
    std::string line;
    std::string title;
    std::string rapporteur;
  };
  const std::vector<Case> cases = {
      {"1. Budget — Mme Claire Martin, adjointe aux finances", "Budget", "Mme Claire Martin, adjointe aux finances"},
      {"1. Budget – M. Karim Benali", "Budget", "M. Karim Benali"},
      {"1. Budget -- M. le Maire", "Budget", "M. le Maire"},
      {"Budget\u00a0— Mme Martin", "Budget", "Mme Martin"},
      // A lone hyphen is part of the title: titles are full of them.
      {"1. Budget - section de fonctionnement", "Budget - section de fonctionnement", ""},
      // Dashes inside words are not separators.
      {"1. Saint-Jean–de–Luz—Ciboure", "Saint-Jean–de–Luz—Ciboure", ""},
      // The last separator wins: the title keeps its own dashes.
      {"1. Budget – décision modificative n°2 — Mme Martin", "Budget – décision modificative n°2", "Mme Martin"},
      // A dash with nothing after it gives no rapporteur.
      {"1. Budget —", "Budget", ""},
  };
  for (const auto& c : cases) {
    const auto item = singleItem(c.line);
    CHECK(item.title == c.title);
    CHECK(item.rapporteur == c.rapporteur);
  }
}

TEST_CASE("a question diverse is recognised by its title or its QD number", "[agenda][text]") {
  struct Case {
    std::string line;
    std::string number;
    ItemKind kind;
  };
  const std::vector<Case> cases = {
      {"QD1. Éclairage de la rue des Écoles", "QD1", ItemKind::QuestionDiverse},
      {"qd 2) Stationnement", "qd 2", ItemKind::QuestionDiverse},
      {"9. Question diverse : éclairage public", "9", ItemKind::QuestionDiverse},
      {"Questions diverses", "1", ItemKind::QuestionDiverse},
      {"QUESTION DIVERSE — Mme Dubois", "1", ItemKind::QuestionDiverse},
      {"8. Information : rapport annuel sur l'eau", "8", ItemKind::Information},
      {"Informations diverses", "1", ItemKind::Information},
      {"Info : calendrier des fêtes", "1", ItemKind::Information},
      {"INFO: travaux", "1", ItemKind::Information},
      {"Informatisation des écoles", "1", ItemKind::Deliberation},
      {"Informer les riverains des travaux", "1", ItemKind::Deliberation},
      {"Questionnaire aux habitants", "1", ItemKind::Deliberation},
      {"Infographie du budget", "1", ItemKind::Deliberation},
  };
  for (const auto& c : cases) {
    const auto item = singleItem(c.line);
    CHECK(item.number == c.number);
    CHECK(item.kind == c.kind);
  }
  // The title is kept verbatim, prefix included.
  CHECK(singleItem("Information : rapport annuel").title == "Information : rapport annuel");
}

TEST_CASE("a number with no title after it is refused with its line", "[agenda][text]") {
  requireSingleTextProblem("1. Premier\n2. Deuxième\n3. Troisième\n4.\n", "ligne 4", "pas de titre après le numéro");
  requireSingleTextProblem("12 bis -", "ligne 1", "pas de titre après le numéro");
  requireSingleTextProblem("5. — Mme Martin", "ligne 1", "pas de titre après le numéro");
  requireSingleTextProblem("— Mme Martin", "ligne 1", "pas de titre avant le rapporteur");
}

TEST_CASE("a title over 300 characters is refused with its line", "[agenda][text]") {
  const auto longest = repeated("à", kMaxItemTitleLength);
  CHECK(singleItem("1. " + longest + " — Mme Martin").title == longest);
  requireSingleTextProblem("1. Court\n2. " + longest + "s — Mme Martin", "ligne 2",
                           "titre trop long : 301 caractères, au plus 300");
  requireSingleTextProblem("Budget — " + repeated("M", kMaxAgendaNameLength + 1), "ligne 1",
                           "rapporteur trop long : 201 caractères, au plus 200");
  requireSingleTextProblem(repeated("1", kMaxItemNumberLength + 1) + ". Budget", "ligne 1",
                           "numéro trop long : 17 caractères, au plus 16");
}

TEST_CASE("a line that is not valid UTF-8 is refused with its line", "[agenda][text]") {
  const std::string message = "texte non UTF-8 : enregistrez le fichier en UTF-8 (pas en Windows-1252 ni en Latin-1)";
  for (const std::string bad : {
           "2. D\xe9lib\xe9ration",  // Windows-1252 / Latin-1 accents
           "2. \xC0\xAF",            // overlong "/"
           "2. \xED\xA0\x80",        // a UTF-16 surrogate
           "2. \xF4\x90\x80\x80",    // beyond U+10FFFF
           "2. Caf\xC3",             // cut short
           "2. \x80",                // stray continuation byte
       }) {
    const auto result = parseText("1. Budget\n" + bad + "\n3. Subventions");
    INFO(describe(result.problems));
    REQUIRE(result.problems.size() == 1);
    CHECK(result.problems[0] == AgendaProblem{"ligne 2", message});
  }
}

TEST_CASE("control characters other than tab are refused in a line", "[agenda][text]") {
  requireSingleTextProblem(std::string("1. Budget\x07 primitif"), "ligne 1",
                           "contient le caractère de contrôle U+0007, interdit (seule la tabulation est permise)");
  requireSingleTextProblem("1. Budget\xC2\x85", "ligne 1", "U+0085");
  requireSingleTextProblem(std::string("1. Budget\0primitif", 18), "ligne 1", "U+0000");
  CHECK(singleItem("1. Budget\tprimitif").title == "Budget\tprimitif");
}

TEST_CASE("duplicate numbers in a text are refused with the line of the first", "[agenda][text]") {
  requireSingleTextProblem("1. a\n2. b\n\n2) c", "ligne 4", "numéro « 2 » déjà utilisé à la ligne 2");
  requireSingleTextProblem("12 bis - a\n12BIS. b", "ligne 2", "numéro « 12BIS » déjà utilisé à la ligne 1");
  requireSingleTextProblem("2. a\nb", "ligne 2",
                           "numéro « 2 » (sa position, la ligne n'ayant pas de numéro) déjà utilisé à la ligne 1");
  // QD numbers are their own series.
  const auto result = parseText("1. a\nQD1. b");
  INFO(describe(result.problems));
  CHECK(result.ok());
}

TEST_CASE("Windows and old Mac line endings and a byte-order mark are accepted", "[agenda][text]") {
  for (const std::string text : {"\xEF\xBB\xBF"
                                 "1. a — M. X\r\n2. b\r\n",
                                 "1. a — M. X\r2. b\r", "1. a — M. X\n2. b"}) {
    const auto result = parseText(text);
    INFO(describe(result.problems));
    REQUIRE(result.ok());
    const std::vector<AgendaItem> items{{"1", "a", "M. X", ItemKind::Deliberation},
                                        {"2", "b", "", ItemKind::Deliberation}};
    CHECK(result.agenda.items == items);
  }
  // Line numbers count "\r\n" once.
  CHECK(parseText("1. a\r\n\r\n3.\r\n").problems.at(0).where == "ligne 3");
}

TEST_CASE("a text with no item is refused at $", "[agenda][text]") {
  for (const std::string text : {"", "\n\n", "# rien\n   \n"}) {
    requireSingleTextProblem(text, "$", "aucun point à l'ordre du jour : écrivez un point par ligne");
  }
}

TEST_CASE("a text of more than 200 items is refused once, at the first one too many", "[agenda][text]") {
  std::string text;
  for (std::size_t i = 0; i < kMaxAgendaItems; ++i) text += "Point\n";
  CHECK(parseText(text).ok());
  requireSingleTextProblem(text + "Point\nPoint\n", "ligne 201",
                           "trop de points : un ordre du jour en compte au plus 200");
}

TEST_CASE("the meeting handed with a text is checked by the JSON rules", "[agenda][text]") {
  MeetingInfo meeting{"", "", "03/12/2026", "19h", "Mairie"};
  const auto result = parseAgendaText("Point", meeting);
  INFO(describe(result.problems));
  REQUIRE(result.problems.size() == 3);
  CHECK(result.problems[0].where == "meeting.commune");
  CHECK_THAT(result.problems[0].message, Catch::StartsWith("obligatoire"));
  CHECK(result.problems[1].where == "meeting.date");
  CHECK_THAT(result.problems[1].message, Catch::EndsWith("(vouliez-vous dire « 2026-12-03 » ?)"));
  CHECK(result.problems[2].where == "meeting.time");

  meeting = {" Ville de Démo ", "", "2026-12-03", "", ""};
  const auto defaulted = parseAgendaText("Point", meeting);
  REQUIRE(defaulted.ok());
  CHECK(defaulted.agenda.meeting == MeetingInfo{"Ville de Démo", "Conseil municipal", "2026-12-03", "", ""});

  meeting = {"Ville\nde Démo", "", "", "", "D\xe9mo"};
  CHECK(placesOf(parseAgendaText("Point", meeting).problems) ==
        std::vector<std::string>{"meeting.commune", "meeting.date", "meeting.place"});
}

TEST_CASE("a text with several mistakes reports all of them in line order", "[agenda][text]") {
  const auto result = parseAgendaText(
      "1. Budget\n"
      "2.\n"
      "1) Subventions\n"
      "Caf\xe9 associatif\n"
      "5. " +
          repeated("x", kMaxItemTitleLength + 1) + "\n",
      MeetingInfo{"Ville de Démo", "", "2026-02-29", "", ""});
  const std::vector<std::string> expected = {"meeting.date", "ligne 2", "ligne 3", "ligne 4", "ligne 5"};
  INFO(describe(result.problems));
  CHECK(placesOf(result.problems) == expected);
}

// ---------------------------------------------------------------------------------------
// The shipped examples

TEST_CASE("examples/agenda-demo.json is a valid agenda", "[agenda][example]") {
  const auto result = parseAgendaJson(readExample("agenda-demo.json"));
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const auto& agenda = result.agenda;
  CHECK(agenda.meeting == demoMeeting());
  REQUIRE(agenda.items.size() == 10);
  CHECK(agenda.items.front().title == "Approbation du procès-verbal de la séance du 15 octobre 2026");
  CHECK(agenda.items[6].number == "6 bis");
  CHECK(agenda.items[8].kind == ItemKind::Information);
  CHECK(agenda.items.back().number == "QD1");
  CHECK(agenda.items.back().kind == ItemKind::QuestionDiverse);
}

TEST_CASE("examples/agenda-demo.txt is the same agenda as the JSON demo", "[agenda][example]") {
  const auto fromJson = parseAgendaJson(readExample("agenda-demo.json"));
  REQUIRE(fromJson.ok());
  const auto fromText = parseAgendaText(readExample("agenda-demo.txt"), fromJson.agenda.meeting);
  INFO(describe(fromText.problems));
  REQUIRE(fromText.ok());
  REQUIRE(fromText.agenda.items.size() == fromJson.agenda.items.size());
  for (std::size_t i = 0; i < fromJson.agenda.items.size(); ++i) {
    INFO("item " << i);
    CHECK(fromText.agenda.items[i] == fromJson.agenda.items[i]);
  }
  CHECK(fromText.agenda.meeting == fromJson.agenda.meeting);
  CHECK(fromText.agenda.items == fromJson.agenda.items);
  // Councillors can only be given in JSON.
  CHECK(fromText.agenda.councillors.empty());
}

TEST_CASE("examples/agenda-demo.json lists the council: the mayor, adjoints and two groups", "[agenda][example]") {
  const auto result = parseAgendaJson(readExample("agenda-demo.json"));
  REQUIRE(result.ok());
  const auto& councillors = result.agenda.councillors;
  REQUIRE(councillors.size() == 15);
  CHECK(councillors.front() == Councillor{"cm-01", "M. Bernard Lefèvre", "Maire", "Agir pour Démo"});
  const auto inGroup = [&councillors](const std::string& group) {
    return std::count_if(councillors.begin(), councillors.end(),
                         [&group](const Councillor& councillor) { return councillor.group == group; });
  };
  CHECK(inGroup("Agir pour Démo") == 11);
  CHECK(inGroup("Démo Avenir") == 4);
}

// ---------------------------------------------------------------------------------------
// Councillors

namespace {

std::string withCouncillors(const std::string& councillors) {
  return "{" + kMeetingJson + R"(, "items": [{"title": "Budget"}], "councillors": )" + councillors + "}";
}

}  // namespace

TEST_CASE("councillors are optional and read with their id, name, role and group", "[agenda][councillors]") {
  CHECK(parseAgendaJson(withItems(R"({"title": "Budget"})")).agenda.councillors.empty());
  const auto result = parseAgendaJson(withCouncillors(R"([
    {"id": "cm-01", "name": "  Mme Claire Martin ", "role": "Adjointe aux finances", "group": "Agir pour Démo"},
    {"id": "x", "name": "M. Paul Petit"},
    {"id": "opp-2026-a", "name": "Mme Anne Dubois", "role": "", "group": "Démo Avenir"}
  ])"));
  INFO(describe(result.problems));
  REQUIRE(result.ok());
  const std::vector<Councillor> expected{
      {"cm-01", "Mme Claire Martin", "Adjointe aux finances", "Agir pour Démo"},
      {"x", "M. Paul Petit", "", ""},
      {"opp-2026-a", "Mme Anne Dubois", "", "Démo Avenir"},
  };
  CHECK(result.agenda.councillors == expected);
}

TEST_CASE("a councillor's id is 1 to 32 lowercase letters, digits and hyphens", "[agenda][councillors]") {
  for (const auto* id : {"a", "cm-01", "0", "abcdefghijklmnopqrstuvwxyz012345", "-"}) {
    INFO(id);
    CHECK(isCouncillorId(id));
  }
  for (const auto* id : {"", "CM-01", "cm_01", "cm 01", "é", "abcdefghijklmnopqrstuvwxyz0123456", "cm.01"}) {
    INFO(id);
    CHECK_FALSE(isCouncillorId(id));
    std::string list = R"([{"id": ")";
    list += id;
    list += R"(", "name": "M. X"}])";
    requireSingleJsonProblem(withCouncillors(list), "councillors[0].id", "identifiant invalide");
  }
}

TEST_CASE("councillors' problems are reported with their path", "[agenda][councillors]") {
  requireSingleJsonProblem(withCouncillors(R"({"id": "a"})"), "councillors", "attendu un tableau, reçu un objet");
  requireSingleJsonProblem(withCouncillors(R"([{"name": "M. X"}])"), "councillors[0].id", "obligatoire");
  requireSingleJsonProblem(withCouncillors(R"([{"id": "a"}])"), "councillors[0].name", "obligatoire");
  requireSingleJsonProblem(withCouncillors(R"([{"id": "a", "name": ""}])"), "councillors[0].name",
                           "ne doit pas être vide");
  requireSingleJsonProblem(withCouncillors(R"([{"id": 1, "name": "M. X"}])"), "councillors[0].id",
                           "attendu une chaîne, reçu un nombre entier");
  requireSingleJsonProblem(withCouncillors(R"([{"id": "a", "name": "M. X", "groupe": "A"}])"), "councillors[0].groupe",
                           "vouliez-vous dire « group » ?");
  requireSingleJsonProblem(withCouncillors(R"([{"id": "a", "name": "M. X", "role": 3}])"), "councillors[0].role",
                           "attendu une chaîne");
  requireSingleJsonProblem(withCouncillors(R"(["M. X"])"), "councillors[0]", "attendu un objet, reçu une chaîne");
  requireSingleJsonProblem(withCouncillors(R"([{"id": "a", "name": "M. X", "group": ")" +
                                           repeated("x", kMaxAgendaNameLength + 1) + R"("}])"),
                           "councillors[0].group", "trop long");
}

TEST_CASE("two councillors cannot share an id", "[agenda][councillors]") {
  requireSingleJsonProblem(withCouncillors(R"([{"id": "cm-01", "name": "A"}, {"id": "cm-02", "name": "B"},
                                               {"id": "cm-01", "name": "C"}])"),
                           "councillors[2].id", "identifiant « cm-01 » déjà utilisé par councillors[0]");
}

TEST_CASE("an agenda lists at most 200 councillors", "[agenda][councillors]") {
  const auto list = [](std::size_t count) {
    std::string text = "[";
    for (std::size_t i = 0; i < count; ++i) {
      if (i > 0) text += ",";
      text += R"({"id": "c)";
      text += std::to_string(i);
      text += R"(", "name": "N"})";
    }
    return text + "]";
  };
  CHECK(parseAgendaJson(withCouncillors(list(kMaxCouncillors))).ok());
  requireSingleJsonProblem(withCouncillors(list(kMaxCouncillors + 1)), "councillors", "trop d'élus : 201");
}

TEST_CASE("item numbers are the same item ignoring case and spaces", "[agenda]") {
  CHECK(sameItemNumber("12 bis", "12bis"));
  CHECK(sameItemNumber("12 BIS", "12 bis"));
  CHECK(sameItemNumber("QD1", "qd 1"));
  CHECK_FALSE(sameItemNumber("12", "12 bis"));
  CHECK_FALSE(sameItemNumber("1", "10"));
}
