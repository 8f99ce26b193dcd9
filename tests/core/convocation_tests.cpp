// The agenda found in a convocation's text (core/convocation.h): what pdftotext, odt2txt or
// docx2txt give of a mayor's letter, kept down to its numbered items.
#include <catch2/catch.hpp>

#include <string>

#include "core/convocation.h"

using namespace tribune::core;

namespace {

MeetingInfo demoMeeting() { return {"Ville de Démo", "Conseil municipal", "2026-12-03", "19:00", "Salle du conseil"}; }

// As `pdftotext -layout` gives a two-page letter: columns padded with spaces, a title
// wrapped under its own start, a page footer and a form feed between the pages.
const std::string kLayoutLetter =
    "   MAIRIE DE DÉMO                                              Le 1er décembre 2026\n"
    "   1, place de la Mairie\n"
    "   12345 Démo\n"
    "   Tél. 01 23 45 67 89\n"
    "\n"
    "                                    CONVOCATION\n"
    "\n"
    "   Objet : séance du conseil municipal du jeudi 3 décembre 2026\n"
    "\n"
    "   Mesdames, Messieurs,\n"
    "\n"
    "   J'ai l'honneur de vous convier à la séance du conseil municipal qui se tiendra le\n"
    "   jeudi 3 décembre 2026 à 19 h 00, salle du conseil, avec l'ordre du jour suivant :\n"
    "\n"
    "   1.   Approbation du procès-verbal de la séance du 15 octobre 2026\n"
    "   2.   Décision modificative n°2 au budget principal 2026 – Mme Claire Martin,\n"
    "        adjointe aux finances\n"
    "   3.   Tarifs municipaux 2027 : restauration scolaire, accueil périscolaire et\n"
    "        location des salles communales\n"
    "   4.   Subvention exceptionnelle à l'association « Les Amis de l'orgue »\n"
    "\n"
    "                                                                   Page 1/2\n"
    "\f   5.   Convention avec le syndicat intercommunal d'énergie\n"
    "        Rapporteur : M. Thierry Morel, adjoint aux travaux\n"
    "   6.   Groupement de commandes pour l'entretien de la voirie\n"
    "   6 bis - Avenant n°1 à la convention de groupement de commandes\n"
    "   7.   Information : rapport annuel sur le prix et la qualité du service public de l'eau\n"
    "   8.   Questions diverses\n"
    "\n"
    "   Je vous prie d'agréer, Mesdames, Messieurs, l'expression de mes salutations distinguées.\n"
    "\n"
    "                                                      Le Maire,\n"
    "                                                      Bernard Lefèvre\n"
    "\n"
    "                                                                   Page 2/2\n";

}  // namespace

TEST_CASE("A convocation laid out by pdftotext gives its numbered items, wrapped titles joined", "[convocation]") {
  const auto found = agendaFromConvocation(kLayoutLetter, demoMeeting());
  INFO(found.text);
  REQUIRE(found.result.ok());
  CHECK(found.text ==
        "1. Approbation du procès-verbal de la séance du 15 octobre 2026\n"
        "2. Décision modificative n°2 au budget principal 2026 – Mme Claire Martin, adjointe aux finances\n"
        "3. Tarifs municipaux 2027 : restauration scolaire, accueil périscolaire et location des salles "
        "communales\n"
        "4. Subvention exceptionnelle à l'association « Les Amis de l'orgue »\n"
        "5. Convention avec le syndicat intercommunal d'énergie \u2014 M. Thierry Morel, adjoint aux travaux\n"
        "6. Groupement de commandes pour l'entretien de la voirie\n"
        "6 bis - Avenant n°1 à la convention de groupement de commandes\n"
        "7. Information : rapport annuel sur le prix et la qualité du service public de l'eau\n"
        "8. Questions diverses\n");
  const auto& items = found.result.agenda.items;
  REQUIRE(items.size() == 9);
  CHECK(items[1].title == "Décision modificative n°2 au budget principal 2026");
  CHECK(items[1].rapporteur == "Mme Claire Martin, adjointe aux finances");
  CHECK(items[4].rapporteur == "M. Thierry Morel, adjoint aux travaux");
  CHECK(items[6].number == "6 bis");
  CHECK(items[7].kind == ItemKind::Information);
  CHECK(items[8].kind == ItemKind::QuestionDiverse);
  CHECK(items[0].kind == ItemKind::Deliberation);
  // Each line of the review text points back at the document's line of its item.
  REQUIRE(found.documentLines.size() == 9);
  CHECK(found.documentLines[0] == 15);
  CHECK(found.documentLines[4] == 23);  // after the footer and the form feed
  CHECK(found.result.agenda.meeting == demoMeeting());
}

TEST_CASE("Unnumbered questions diverses become QD items, bulleted questions one each", "[convocation]") {
  // As docx2txt gives a Word letter: one paragraph a line, blank lines between.
  const std::string letter =
      "Commune de Saint-Martin-des-Champs\n\n"
      "Saint-Martin, le 20 novembre 2026\n\n"
      "Ordre du jour\n\n"
      "1) Budget primitif 2027\n\n"
      "2) Création d'un poste d'adjoint technique\n\n"
      "3 - \n"
      "Dénomination de la place du marché\n\n"
      "Questions diverses :\n\n"
      "- Question de Mme Anne Dubois sur la sécurisation du passage piéton devant l'école\n"
      "- Question de M. Paul Girard sur l'éclairage public\n\n"
      "Fait à Saint-Martin, le 20 novembre 2026\n"
      "Le Maire\n";
  const auto found = agendaFromConvocation(letter, demoMeeting());
  INFO(found.text);
  REQUIRE(found.result.ok());
  const auto& items = found.result.agenda.items;
  REQUIRE(items.size() == 5);
  CHECK(items[2].number == "3");
  CHECK(items[2].title == "Dénomination de la place du marché");
  CHECK(items[3].number == "QD1");
  CHECK(items[3].title == "Question de Mme Anne Dubois sur la sécurisation du passage piéton devant l'école");
  CHECK(items[3].kind == ItemKind::QuestionDiverse);
  CHECK(items[4].number == "QD2");
  CHECK(items[4].kind == ItemKind::QuestionDiverse);

  // Without questions listed, the heading is one item.
  const auto alone = agendaFromConvocation("Ordre du jour :\n1. Budget\nQuestions diverses\n", demoMeeting());
  REQUIRE(alone.result.ok());
  REQUIRE(alone.result.agenda.items.size() == 2);
  CHECK(alone.result.agenda.items[1].number == "QD1");
  CHECK(alone.result.agenda.items[1].title == "Questions diverses");
  CHECK(alone.result.agenda.items[1].kind == ItemKind::QuestionDiverse);
}

TEST_CASE("Dates, addresses, times and page numbers are not items", "[convocation]") {
  const std::string letter =
      "Le 1er décembre 2026\n"
      "2026 : année de la mutualisation\n"
      "12345 Démo\n"
      "10 h 30 : accueil\n"
      "- 1 -\n"
      "Page 1 sur 3\n"
      "1/3\n"
      "1.5 M€ de travaux\n"
      "19h00\n"
      "14 juillet : feu d'artifice\n";
  const auto found = agendaFromConvocation(letter, demoMeeting());
  CHECK(found.text.empty());
  REQUIRE(found.result.problems.size() == 1);
  CHECK(found.result.problems[0].where == "$");
  CHECK(found.result.problems[0].message == "Aucun point d'ordre du jour numéroté n'a été trouvé dans ce document.");

  CHECK_FALSE(agendaFromConvocation("", demoMeeting()).result.ok());
}

TEST_CASE("The text reader's problems point at the lines of the review text", "[convocation]") {
  const std::string letter =
      "Mesdames, Messieurs, ordre du jour :\n"
      "1. Budget\n"
      "2. Voirie\n"
      "Je vous prie d'agréer...\n"
      "2. Éclairage public\n";
  const auto found = agendaFromConvocation(letter, demoMeeting());
  CHECK(found.text == "1. Budget\n2. Voirie\n2. Éclairage public\n");
  REQUIRE(found.result.problems.size() == 1);
  CHECK(found.result.problems[0].where == "ligne 3");
  CHECK(found.result.problems[0].message.find("numéro « 2 » déjà utilisé") != std::string::npos);
  CHECK(found.documentLines == std::vector<std::size_t>{2, 3, 5});

  // The meeting's own problems come through too.
  auto meeting = demoMeeting();
  meeting.date = "03/12/2026";
  const auto badDate = agendaFromConvocation("1. Budget\n", meeting);
  REQUIRE_FALSE(badDate.result.ok());
  CHECK(badDate.result.problems[0].where == "meeting.date");
}

TEST_CASE("A prose line after an item ends its title, while a small letter or a deeper indent goes on",
          "[convocation]") {
  const std::string letter =
      "ordre du jour\r\n"
      "  1. Rapport sur les orientations\r\n"
      "budgétaires 2027\r\n"
      "  2. Tarifs de l'eau inter-\r\n"
      "communaux\r\n"
      "  Le conseil sera suivi d'un pot.\r\n"
      "  QD 1. Question de M. Girard\r\n";
  const auto found = agendaFromConvocation(letter, demoMeeting());
  INFO(found.text);
  REQUIRE(found.result.ok());
  CHECK(found.text ==
        "1. Rapport sur les orientations budgétaires 2027\n"
        "2. Tarifs de l'eau inter-communaux\n"
        "QD 1. Question de M. Girard\n");
  CHECK(found.result.agenda.items[2].kind == ItemKind::QuestionDiverse);
}

TEST_CASE("A line far to the right of an item's title is not its continuation", "[convocation]") {
  const std::string letter =
      "ordre du jour :\n"
      "   1.    Budget primitif 2027\n"
      "            de la commune\n"
      "   2.    Questions diverses\n"
      "                                                 Le Maire,\n"
      "                                                 Bernard Lefèvre\n";
  const auto found = agendaFromConvocation(letter, demoMeeting());
  CHECK(found.text == "1. Budget primitif 2027 de la commune\n2. Questions diverses\n");
}
