// The questions' exports for the written replies: the CSV a French spreadsheet opens (BOM,
// ';', CRLF, RFC 4180, formulas neutralised) and the JSON, both reproducible.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/questions.h"
#include "core/questions_export.h"

using namespace tribune;
using core::QuestionBoard;
using nlohmann::json;

namespace {

constexpr const char* kBom = "\xEF\xBB\xBF";
constexpr const char* kHeader =
    "numero;statut;status;texte;texte_original;pseudonyme;lieu;votes;rang;signalements;regroupee_avec;posee_le;"
    "origine\r\n";
constexpr std::int64_t kAskedMs = 1'790'000'000'000;  // 2026-09-21T14:13:20Z
constexpr const char* kAskedAt = "2026-09-21T14:13:20Z";

core::NewQuestion question(const std::string& text, const std::string& pseudonym = "Marie",
                           const std::string& place = "Quartier Nord") {
  core::NewQuestion q;
  q.text = text;
  q.pseudonym = pseudonym;
  q.place = place;
  q.author = "browser-" + text.substr(0, 8);
  q.askedMs = kAskedMs;
  return q;
}

void require(const core::QuestionResult& result) {
  INFO(result.message);
  REQUIRE(result.ok());
}

// Reads the CSV back as RFC 4180 with ';': what a spreadsheet gets, cell by cell. The BOM
// must be there and is skipped; every row must end with CRLF.
std::vector<std::vector<std::string>> readCsv(const std::string& csv) {
  REQUIRE(csv.rfind(kBom, 0) == 0);
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> row;
  std::string cell;
  bool quoted = false;
  for (std::size_t i = 3; i < csv.size(); ++i) {
    const char c = csv[i];
    if (quoted) {
      if (c == '"' && i + 1 < csv.size() && csv[i + 1] == '"') {
        cell += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c == '"') {
      REQUIRE(cell.empty());  // a quote opens a cell, never inside an unquoted one
      quoted = true;
    } else if (c == ';') {
      row.push_back(std::move(cell));
      cell.clear();
    } else if (c == '\r') {
      REQUIRE(i + 1 < csv.size());
      REQUIRE(csv[i + 1] == '\n');
      ++i;
      row.push_back(std::move(cell));
      cell.clear();
      rows.push_back(std::move(row));
      row.clear();
    } else {
      REQUIRE(c != '\n');  // a bare LF outside quotes would break the row
      cell += c;
    }
  }
  REQUIRE_FALSE(quoted);
  REQUIRE(row.empty());  // the last row ended with CRLF too
  REQUIRE(cell.empty());
  return rows;
}

// Every kind of question: pending (flagged, masked), approved with votes, on air, answered
// in writing, rejected, deleted, merged; ids 1 to 8.
QuestionBoard sampleBoard() {
  QuestionBoard board;
  auto first = question("Mon numéro est ** ** ** ** **, rappelez-moi", "Jean", "");
  first.original = "Mon numéro est 06 12 34 56 78, rappelez-moi";
  first.flags = {"phone", "profanity"};
  require(board.ask(first));                                                     // 1 pending, flagged
  require(board.ask(question("Quand rouvre la piscine ?")));                     // 2
  require(board.approve(2, std::nullopt));                                       //   approved
  require(board.ask(question("Et le marché de Noël ?", "", "")));                // 3
  require(board.approve(3, std::string("Le marché de Noël aura-t-il lieu ?")));  // approved, edited
  require(board.putOnAir(3));                                                    //   on air
  require(board.ask(question("Les travaux rue Haute ?")));                       // 4
  require(board.writtenReply(4));                                                //   written reply
  require(board.ask(question("Hors sujet")));                                    // 5
  require(board.reject(5));                                                      //   rejected
  require(board.ask(question("TEXTE-EFFACE-A-NE-PAS-EXPORTER")));                // 6
  require(board.remove(6));                                                      //   deleted
  require(board.ask(question("La piscine, quand ?")));                           // 7
  require(board.merge(7, 2));                                                    //   merged into 2
  require(board.ask(question("Le budget ?")));                                   // 8
  require(board.approve(8, std::nullopt));                                       //   approved, after 2
  require(board.upvote(2, "voter-a"));
  require(board.upvote(2, "voter-b"));
  require(board.upvote(8, "voter-a"));
  return board;
}

std::string idsOf(const std::vector<std::vector<std::string>>& rows) {
  std::string ids;
  for (std::size_t i = 1; i < rows.size(); ++i) ids += (ids.empty() ? "" : ",") + rows[i].at(0);
  return ids;
}

}  // namespace

TEST_CASE("an empty board exports a BOM and the header row in CSV, an empty list in JSON", "[questions][export]") {
  const QuestionBoard board;
  CHECK(core::questionsCsv(board) == std::string(kBom) + kHeader);
  CHECK(core::questionsJson(board, "seance-2026-09-21") ==
        json{{"meeting", "seance-2026-09-21"}, {"questions", json::array()}});
}

TEST_CASE("the CSV lists every question but deleted ones, in id order, with every column", "[questions][export]") {
  const auto board = sampleBoard();
  const auto csv = core::questionsCsv(board);
  const auto rows = readCsv(csv);
  REQUIRE(rows.size() == 8);  // the header and seven questions
  for (const auto& row : rows) CHECK(row.size() == 13);
  CHECK(idsOf(rows) == "1,2,3,4,5,7,8");
  CHECK(csv.find("TEXTE-EFFACE") == std::string::npos);

  using Row = std::vector<std::string>;
  CHECK(rows[1] == Row{"1", "en attente", "pending", "Mon numéro est ** ** ** ** **, rappelez-moi",
                       "Mon numéro est 06 12 34 56 78, rappelez-moi", "Jean", "", "0", "", "phone,profanity", "",
                       kAskedAt, "site"});
  CHECK(rows[2] == Row{"2", "retenue", "approved", "Quand rouvre la piscine ?", "", "Marie", "Quartier Nord", "2", "1",
                       "", "", kAskedAt, "site"});
  CHECK(rows[3] == Row{"3", "à l'antenne", "on_air", "Le marché de Noël aura-t-il lieu ?", "Et le marché de Noël ?", "",
                       "", "0", "2", "", "", kAskedAt, "site"});
  CHECK(rows[4] == Row{"4", "réponse écrite à venir", "written_reply", "Les travaux rue Haute ?", "", "Marie",
                       "Quartier Nord", "0", "", "", "", kAskedAt, "site"});
  CHECK(rows[5].at(1) == "non retenue");
  CHECK(rows[5].at(2) == "rejected");
  CHECK(rows[6] == Row{"7", "regroupée avec une question semblable", "merged", "La piscine, quand ?", "", "Marie",
                       "Quartier Nord", "0", "", "", "2", kAskedAt, "site"});
  CHECK(rows[7].at(7) == "1");  // votes
  CHECK(rows[7].at(8) == "3");  // rang: 1-based, approved after 2 and 3
}

TEST_CASE("the JSON lists the same questions with the protocol's names", "[questions][export]") {
  const auto board = sampleBoard();
  const auto exported = core::questionsJson(board, "seance-2026-09-21");
  CHECK(exported.size() == 2);  // no export time: reproducible
  CHECK(exported.at("meeting") == "seance-2026-09-21");
  const auto& questions = exported.at("questions");
  REQUIRE(questions.size() == 7);
  std::vector<std::uint64_t> ids;
  for (const auto& q : questions) ids.push_back(q.at("id").get<std::uint64_t>());
  CHECK(ids == std::vector<std::uint64_t>{1, 2, 3, 4, 5, 7, 8});
  CHECK(questions[0] == json{{"id", 1},
                             {"status", "pending"},
                             {"status_label", "en attente"},
                             {"text", "Mon numéro est ** ** ** ** **, rappelez-moi"},
                             {"original", "Mon numéro est 06 12 34 56 78, rappelez-moi"},
                             {"pseudonym", "Jean"},
                             {"place", ""},
                             {"votes", 0},
                             {"rank", nullptr},
                             {"flags", {"phone", "profanity"}},
                             {"merged_into", nullptr},
                             {"asked_at", kAskedAt},
                             {"origin", "site"}});
  CHECK(questions[1].at("original").is_null());
  CHECK(questions[1].at("votes") == 2);
  CHECK(questions[1].at("rank") == 0);  // 0-based, as in the protocol's view
  CHECK(questions[2].at("rank") == 1);  // on air, still in the queue
  CHECK(questions[2].at("original") == "Et le marché de Noël ?");
  CHECK(questions[5].at("merged_into") == 2);
  CHECK(questions[5].at("status_label") == "regroupée avec une question semblable");
  CHECK(exported.dump().find("TEXTE-EFFACE") == std::string::npos);
}

TEST_CASE("a CSV cell that a spreadsheet would run as a formula starts with a quote", "[questions][export]") {
  QuestionBoard board;
  const std::vector<std::string> formulas{"=HYPERLINK(\"http://evil.example\",\"Cliquez\")",
                                          "+33 1 23 45 67 89",
                                          "-2+3",
                                          "@SUM(A1:A9)",
                                          "\t=1+1",
                                          "\r=1+1"};
  for (const auto& text : formulas) require(board.ask(question(text, "=cmd|' /C calc'!A0", "@lieu")));
  // Not at the start: left alone.
  require(board.ask(question("Le calcul 1+1=2 ?", "Marie-Claire", "Saint-Jean")));
  const auto csv = core::questionsCsv(board);
  const auto rows = readCsv(csv);
  REQUIRE(rows.size() == formulas.size() + 2);
  for (std::size_t i = 0; i < formulas.size(); ++i) {
    INFO(formulas[i]);
    CHECK(rows[i + 1].at(3) == "'" + formulas[i]);
    CHECK(rows[i + 1].at(5) == "'=cmd|' /C calc'!A0");
    CHECK(rows[i + 1].at(6) == "'@lieu");
  }
  CHECK(rows.back().at(3) == "Le calcul 1+1=2 ?");
  CHECK(rows.back().at(5) == "Marie-Claire");
  CHECK(rows.back().at(6) == "Saint-Jean");
  // No cell of the file starts with a formula character.
  for (const auto& row : rows) {
    for (const auto& cell : row) {
      INFO(cell);
      CHECK((cell.empty() || std::string("=+-@\t\r").find(cell.front()) == std::string::npos));
    }
  }
  // The JSON carries the texts as they are: JSON is not run by anything.
  CHECK(core::questionsJson(board, "m").at("questions")[0].at("text") == formulas[0]);
}

TEST_CASE("separators, quotes and line breaks in a CSV cell are quoted as RFC 4180 says", "[questions][export]") {
  QuestionBoard board;
  const std::string text = "Le budget; \"vraiment\" ?\r\nEt aussi :\nla piscine";
  require(board.ask(question(text, "Jean \"JJ\" Dupont", "Nord; Sud")));
  require(board.ask(question("Sans rien de spécial", "Marie", "Est")));
  const auto csv = core::questionsCsv(board);
  CHECK(csv.find(";\"Le budget; \"\"vraiment\"\" ?\r\nEt aussi :\nla piscine\";") != std::string::npos);
  CHECK(csv.find(";\"Jean \"\"JJ\"\" Dupont\";\"Nord; Sud\";") != std::string::npos);
  CHECK(csv.find(";Sans rien de spécial;;Marie;Est;") != std::string::npos);  // unquoted when not needed
  const auto rows = readCsv(csv);
  REQUIRE(rows.size() == 3);
  CHECK(rows[1].at(3) == text);
  CHECK(rows[1].at(5) == "Jean \"JJ\" Dupont");
  CHECK(rows[1].at(6) == "Nord; Sud");
}

TEST_CASE("a flagged question lists its flags in one cell, joined with commas", "[questions][export]") {
  QuestionBoard board;
  auto flagged = question("Écrivez à ***");
  flagged.flags = {"email", "phone"};
  require(board.ask(flagged));
  const auto rows = readCsv(core::questionsCsv(board));
  CHECK(rows.at(1).at(9) == "email,phone");
  CHECK(core::questionsJson(board, "m").at("questions")[0].at("flags") == json{"email", "phone"});
}

TEST_CASE("asked_at is the wall clock in UTC, ISO 8601, to the second", "[questions][export]") {
  QuestionBoard board;
  const std::vector<std::pair<std::int64_t, std::string>> times{
      {0, "1970-01-01T00:00:00Z"},
      {951'868'799'999, "2000-02-29T23:59:59Z"},  // a leap day, its last millisecond
      {kAskedMs + 999, kAskedAt},
  };
  for (const auto& [ms, text] : times) {
    auto q = question("Heure " + text);
    q.askedMs = ms;
    require(board.ask(q));
  }
  const auto rows = readCsv(core::questionsCsv(board));
  const auto exported = core::questionsJson(board, "m");
  for (std::size_t i = 0; i < times.size(); ++i) {
    CHECK(rows.at(i + 1).at(11) == times[i].second);
    CHECK(exported.at("questions")[i].at("asked_at") == times[i].second);
  }
}

TEST_CASE("exports are reproducible: the same board gives the same bytes", "[questions][export]") {
  const auto board = sampleBoard();
  const auto again = sampleBoard();  // built the same way, separately
  CHECK(core::questionsCsv(board) == core::questionsCsv(board));
  CHECK(core::questionsCsv(board) == core::questionsCsv(again));
  CHECK(core::questionsJson(board, "m").dump() == core::questionsJson(again, "m").dump());
}
