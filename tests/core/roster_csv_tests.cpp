#include <catch2/catch.hpp>

#include <sstream>
#include <string>

#include "core/roster_csv.h"

using namespace tribune::core;

namespace {

std::string describe(const RosterResult& result) {
  std::ostringstream out;
  for (const auto& problem : result.problems) out << problem.where << ": " << problem.message << "\n";
  return out.str();
}

void requireProblem(const std::string& csv, const std::string& where, const std::string& fragment) {
  const auto result = parseRosterCsv(csv);
  INFO(csv << "\n→ " << describe(result));
  REQUIRE_FALSE(result.ok());
  CHECK(result.problems.front().where == where);
  CHECK(result.problems.front().message.find(fragment) != std::string::npos);
}

}  // namespace

TEST_CASE("a French spreadsheet's roster is read: semicolons, accents in the header, quotes, BOM, CRLF", "[roster]") {
  const auto result = parseRosterCsv(
      "\xEF\xBB\xBFNom;Rôle;Groupe\r\n"
      "M. Bernard Lefèvre;Maire;Agir pour Démo\r\n"
      "\"Martin, Claire\";\"Adjointe aux \"\"finances\"\"\";Agir pour Démo\r\n"
      "\r\n"
      "Mme Anne Dubois;;Démo Avenir\r\n");
  INFO(describe(result));
  REQUIRE(result.ok());
  REQUIRE(result.councillors.size() == 3);
  CHECK(result.councillors[0] == Councillor{"cm-01", "M. Bernard Lefèvre", "Maire", "Agir pour Démo"});
  CHECK(result.councillors[1] == Councillor{"cm-02", "Martin, Claire", "Adjointe aux \"finances\"", "Agir pour Démo"});
  CHECK(result.councillors[2] == Councillor{"cm-03", "Mme Anne Dubois", "", "Démo Avenir"});
}

TEST_CASE("a roster keeps its own ids, in any column order, with commas or tabs", "[roster]") {
  auto result = parseRosterCsv("group,name,id\nA,Claire Martin,cm-07\nB,Paul Durand,pd\n");
  INFO(describe(result));
  REQUIRE(result.ok());
  CHECK(result.councillors[0] == Councillor{"cm-07", "Claire Martin", "", "A"});
  CHECK(result.councillors[1].id == "pd");
  result = parseRosterCsv("nom\tfonction\nClaire Martin\tAdjointe\n");
  REQUIRE(result.ok());
  CHECK(result.councillors[0] == Councillor{"cm-01", "Claire Martin", "Adjointe", ""});
}

TEST_CASE("a roster with wrong columns or bad lines is refused at the line, in French", "[roster]") {
  requireProblem("Prénom;Nom\nClaire;Martin\n", "ligne 1", "colonne « Prénom » inconnue");
  requireProblem("fonction;groupe\nMaire;A\n", "ligne 1", "il manque la colonne « nom »");
  requireProblem("nom;nom\nA;B\n", "ligne 1", "deux fois");
  requireProblem("", "ligne 1", "vide");
  requireProblem("nom;groupe\nClaire Martin;A\nPaul Durand;B;C\n", "ligne 3", "3 champs pour 2 colonnes");
  requireProblem("nom;groupe\nClaire Martin;\"A\nPaul;B\n", "ligne 2", "guillemet");
  // The agenda's own rules, moved to the line: an empty name, a bad id, a duplicate id.
  requireProblem("nom;groupe\nClaire Martin;A\n;B\n", "ligne 3 (nom)", "ne doit pas être vide");
  requireProblem("id;nom\nCM 1;Claire Martin\n", "ligne 2 (id)", "identifiant invalide « CM 1 »");
  requireProblem("id;nom\ncm-1;Claire Martin\ncm-1;Paul Durand\n", "ligne 3 (id)", "");
  std::string many = "nom\n";
  for (int i = 0; i < 201; ++i) many += "Conseiller " + std::to_string(i) + "\n";
  requireProblem(many, "councillors", "");
}
