#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "core/text_screen.h"

using namespace tribune;
using Flags = std::vector<std::string>;

namespace {

core::WordList words(std::string_view text) {
  core::WordListResult parsed = core::parseWordList(text);
  REQUIRE(parsed.error.empty());
  REQUIRE(parsed.list.has_value());
  return *parsed.list;
}

const core::WordList& testList() {
  static const core::WordList list = words("con\nconnard\nmerde\nenculé\nsalope\nfils de pute\n");
  return list;
}

core::Screened screen(std::string_view text) { return core::screenViewerText(text, testList()); }

std::string shippedList() {
  std::ifstream file{std::string{TRIBUNE_SOURCE_DIR} + "/moderation/profanity-fr.txt", std::ios::binary};
  REQUIRE(file.good());
  std::ostringstream text;
  text << file.rdbuf();
  return text.str();
}

}  // namespace

// --- Phone numbers ---------------------------------------------------------------------------

TEST_CASE("French phone numbers are masked in all their usual spellings", "[text_screen]") {
  const std::vector<std::string> spellings = {
      "06 12 34 56 78",    "06.12.34.56.78",       "06-12-34-56-78",     "0612345678",
      "+33 6 12 34 56 78", "+33 (0)6 12 34 56 78", "+33(0)612345678",    "0033 6 12 34 56 78",
      "+33612345678",      "+33 6.12.34.56.78",    "+33 06 12 34 56 78", "01 23 45 67 89",
      "04.78.12.34.56",    "0800 123 456",         "+262 692 12 34 56",  "07 98 76 54 32",
  };
  for (const std::string& number : spellings) {
    INFO(number);
    const core::Screened screened = screen("Mon numéro : " + number + ", rappelez-moi");
    CHECK(screened.text == "Mon numéro : [numéro masqué], rappelez-moi");
    CHECK(screened.flags == Flags{"phone"});
  }
}

TEST_CASE("a phone number is masked at the start, at the end and next to another", "[text_screen]") {
  CHECK(screen("0612345678").text == "[numéro masqué]");
  CHECK(screen("Tél. 06 12 34 56 78.").text == "Tél. [numéro masqué].");
  CHECK(screen("0612345678 0698765432").text == "[numéro masqué] [numéro masqué]");
  CHECK(screen("fixe 01 23 45 67 89 ou portable 06.12.34.56.78").text ==
        "fixe [numéro masqué] ou portable [numéro masqué]");
  CHECK(screen("tel:0612345678").text == "tel:[numéro masqué]");
}

TEST_CASE("numbers that are not phone numbers are left as they are", "[text_screen]") {
  const std::vector<std::string> texts = {
      "Le budget 2026 prévoit 1 500 000 euros pour la voirie.",
      "Lors de la séance du 12/03/2026, à 18 h 30.",
      "Les habitants du 59000 et du 59800.",
      "La délibération n° 2026-045 du conseil.",
      "Le SIRET 213 505 421 00018 de la commune.",
      "Un nombre de onze chiffres 06123456789.",
      "Un autre 06 12 34 56 789 aussi.",
      "Neuf chiffres 06 12 34 56 7 seulement.",
      "Le numéro 0012345678 commence par 00.",
      "Une référence AB0612345678 dans un mot.",
      "Le +33 tout seul, ou +32 4 12 34 56 78 en Belgique.",
      "Des montants de 10 000 000 000 euros.",
  };
  for (const std::string& text : texts) {
    INFO(text);
    const core::Screened screened = screen(text);
    CHECK(screened.text == text);
    CHECK(screened.flags.empty());
  }
}

// --- E-mail addresses ----------------------------------------------------------------------

TEST_CASE("e-mail addresses are masked, with plus tags and subdomains", "[text_screen]") {
  CHECK(screen("Écrivez à jean.dupont@mairie-exemple.fr.").text == "Écrivez à [adresse e-mail masquée].");
  CHECK(screen("jean+conseil@services.mairie-exemple.fr").text == "[adresse e-mail masquée]");
  CHECK(screen("(marie_durand-2@exemple.com)").text == "([adresse e-mail masquée])");
  CHECK(screen("contact : élodie.martin@exemple.fr, merci").text == "contact : [adresse e-mail masquée], merci");
  const core::Screened screened = screen("mon adresse : a.b@c.exemple.org");
  CHECK(screened.text == "mon adresse : [adresse e-mail masquée]");
  CHECK(screened.flags == Flags{"email"});
}

TEST_CASE("an at sign that is not in an address is left as it is", "[text_screen]") {
  const std::vector<std::string> texts = {
      "Merci @maire pour la réponse.",
      "Rendez-vous @ la mairie.",
      "un prix@3.5 euros",
      "jean@localhost",
      "jean@.fr",
      "@exemple.fr",
      "jean@exemple.f",
  };
  for (const std::string& text : texts) {
    INFO(text);
    const core::Screened screened = screen(text);
    CHECK(screened.text == text);
    CHECK(screened.flags.empty());
  }
}

TEST_CASE("digits inside an e-mail address make it an address, not a phone number", "[text_screen]") {
  const core::Screened screened = screen("0612345678@sms.exemple.fr");
  CHECK(screened.text == "[adresse e-mail masquée]");
  CHECK(screened.flags == Flags{"email"});
}

TEST_CASE("flags come in the order profanity, phone, email, each once", "[text_screen]") {
  const core::Screened screened =
      screen("jean@exemple.fr et paul@exemple.fr, quel con, 06 12 34 56 78 et 01 23 45 67 89, merde");
  CHECK(screened.flags == Flags{"profanity", "phone", "email"});
  CHECK(screened.flagged());
  CHECK(screened.text ==
        "[adresse e-mail masquée] et [adresse e-mail masquée], quel con, [numéro masqué] et [numéro masqué], merde");
  CHECK(screen("appelez le 0612345678 ou écrivez à a@b.fr").flags == Flags{"phone", "email"});
  CHECK(screen("le conseil municipal").flags.empty());
  CHECK_FALSE(screen("le conseil municipal").flagged());
}

// --- Profanity -----------------------------------------------------------------------------

TEST_CASE("profanity is matched on whole words only", "[text_screen]") {
  CHECK(screen("quel con").flags == Flags{"profanity"});
  CHECK(screen("Con !").flags == Flags{"profanity"});
  CHECK(screen("t'es qu'un con, franchement").flags == Flags{"profanity"});
  CHECK(screen("le conseil municipal").flags.empty());
  CHECK(screen("je suis content du projet").flags.empty());
  CHECK(screen("en second lieu, la voirie").flags.empty());
  CHECK(screen("une question de la Confédération").flags.empty());
  CHECK(screen("les cons").flags.empty());  // no stemming: the list spells every form
}

TEST_CASE("profanity ignores case and accents", "[text_screen]") {
  CHECK(screen("ENCULÉ").flags == Flags{"profanity"});
  CHECK(screen("encule").flags == Flags{"profanity"});
  CHECK(screen("EnCuLe\u0301 !").flags == Flags{"profanity"});  // é written as e + combining accent
  CHECK(screen("MERDE alors").flags == Flags{"profanity"});
}

TEST_CASE("profanity sees through letter-for-digit tricks", "[text_screen]") {
  CHECK(screen("c0nn4rd").flags == Flags{"profanity"});
  CHECK(screen("de la m3rde").flags == Flags{"profanity"});
  CHECK(screen("$@l0p3").flags == Flags{"profanity"});
  CHECK(screen("c\u043Enn\u0430rd").flags == Flags{"profanity"});  // Cyrillic о and а
  CHECK(screen("ｃｏｎ").flags == Flags{"profanity"});             // full-width letters
  CHECK(screen("con\u00ADnard").flags == Flags{"profanity"});      // soft hyphen
}

TEST_CASE("a profane phrase matches across punctuation and spaces", "[text_screen]") {
  CHECK(screen("fils de pute").flags == Flags{"profanity"});
  CHECK(screen("FILS-DE-PUTE").flags == Flags{"profanity"});
  CHECK(screen("fils,   de... pute !").flags == Flags{"profanity"});
  CHECK(screen("espèce de fils\nde pute").flags == Flags{"profanity"});
  CHECK(screen("le fils de la voisine").flags.empty());
  CHECK(screen("fils de putois").flags.empty());
}

TEST_CASE("profanity is flagged, not masked", "[text_screen]") {
  const core::Screened screened = screen("Quel  c0nn4rd, ce projet");
  CHECK(screened.text == "Quel c0nn4rd, ce projet");
  CHECK(screened.flags == Flags{"profanity"});
}

TEST_CASE("a word list built by hand is normalised before matching", "[text_screen]") {
  const core::WordList byHand{{"Merde", "enculé", "Fils-de-pute"}};
  CHECK(core::screenViewerText("MERDE", byHand).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("encule", byHand).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("fils de pute", byHand).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("merci", byHand).flags.empty());
  CHECK(core::screenViewerText("quel con", core::WordList{}).flags.empty());
}

// --- Normalising ---------------------------------------------------------------------------

TEST_CASE("normalising for matching folds case, accents, digits and punctuation", "[text_screen]") {
  CHECK(core::normalizeForMatching("  L'Été   à Noël !  ") == "l ete a noel");
  CHECK(core::normalizeForMatching("Œuvre, cœur, ÆTHER, garçon, Straße") == "oeuvre coeur aether garcon strasse");
  CHECK(core::normalizeForMatching("c0nn4rd m3rde $@l0p3 p1n7e") == "connard merde salope pinte");
  CHECK(core::normalizeForMatching("2026 98") == "2o26 98");
  CHECK(core::normalizeForMatching("l’élu « Dupont »") == "l elu dupont");
  CHECK(core::normalizeForMatching("e\u0301lu") == "elu");
  CHECK(core::normalizeForMatching("bravo 👏🏽 !") == "bravo");
  CHECK(core::normalizeForMatching("Łódź Čapek") == "lodz capek");
  // Cyrillic letters that look Latin are read as Latin; the others stay.
  CHECK(core::normalizeForMatching("北京 Москва") == "北京 moc\u043A\u0432a");
  CHECK(core::normalizeForMatching("").empty());
  CHECK(core::normalizeForMatching("!?…").empty());
}

// --- Cleaning ------------------------------------------------------------------------------

TEST_CASE("cleaning removes control characters and turns tabs into spaces", "[text_screen]") {
  CHECK(core::cleanViewerText("Bonjour\x01\x07 à tous\x7F") == "Bonjour à tous");
  CHECK(core::cleanViewerText("un\tdeux\t\ttrois") == "un deux trois");
  CHECK(core::cleanViewerText("abc\u202Edef") == "abcdef");      // right-to-left override
  CHECK(core::cleanViewerText("\xEF\xBB\xBFtexte") == "texte");  // byte order mark
  CHECK(core::cleanViewerText("Pourquoi\u202F? Parce\u00A0que") == "Pourquoi ? Parce que");
}

TEST_CASE("cleaning collapses runs of spaces, keeps at most two line feeds and trims", "[text_screen]") {
  CHECK(core::cleanViewerText("un    deux     trois") == "un deux trois");
  CHECK(core::cleanViewerText("   bonjour   ") == "bonjour");
  CHECK(core::cleanViewerText("un\ndeux") == "un\ndeux");
  CHECK(core::cleanViewerText("un\n\ndeux") == "un\n\ndeux");
  CHECK(core::cleanViewerText("un\n\n\n\n\n\ndeux") == "un\n\ndeux");
  CHECK(core::cleanViewerText("un  \n \n \n  deux") == "un\n\ndeux");
  CHECK(core::cleanViewerText("ligne 1\r\nligne 2\r\n\r\n\r\n\r\nligne 3") == "ligne 1\nligne 2\n\nligne 3");
  CHECK(core::cleanViewerText("\n\n  \t question \n\n\n") == "question");
  CHECK(core::cleanViewerText(" \t\n\r ").empty());
  CHECK(core::cleanViewerText("").empty());
}

TEST_CASE("cleaning drops invalid UTF-8 and keeps accents and emoji", "[text_screen]") {
  CHECK(core::cleanViewerText("caf\xC3\xA9 \xFF\xFEok") == "café ok");
  CHECK(core::cleanViewerText("a\xC0\xAF"
                              "b") == "ab");  // overlong '/'
  CHECK(core::cleanViewerText("a\xED\xA0\x80"
                              "b") == "ab");  // surrogate
  CHECK(core::cleanViewerText("fin tronquée \xE2\x82") == "fin tronquée");
  CHECK(core::cleanViewerText("a\xF4\x90\x80\x80"
                              "b") == "ab");  // above U+10FFFF
  const std::string kept = "Merci 👏🏽 à l’équipe « Œuvre » ! 🇫🇷 👨‍👩‍👧";
  CHECK(core::cleanViewerText(kept) == kept);
}

TEST_CASE("screening cleans the text before masking", "[text_screen]") {
  const core::Screened screened = screen("  Bonjour,\t\tappelez le 06\u00A012\u00A034\u00A056\u00A078  \n\n\n\nMerci ");
  CHECK(screened.text == "Bonjour, appelez le [numéro masqué]\n\nMerci");
  CHECK(screened.flags == Flags{"phone"});
}

// --- Character count -----------------------------------------------------------------------

TEST_CASE("characters are counted as code points", "[text_screen]") {
  CHECK(core::characterCount("") == 0);
  CHECK(core::characterCount("abc") == 3);
  CHECK(core::characterCount("élu") == 3);
  CHECK(core::characterCount("Œuvre") == 5);
  CHECK(core::characterCount("€") == 1);
  CHECK(core::characterCount("👏🏽") == 2);  // the hand and its skin tone
  CHECK(core::characterCount(core::kMaskedPhone) == 15);
  CHECK(core::characterCount("a\xFF"
                             "b") == 2);  // an invalid byte is no character
}

// --- The word list -------------------------------------------------------------------------

TEST_CASE("a word list skips comments and blank lines and normalises its entries", "[text_screen]") {
  const core::WordListResult parsed = core::parseWordList(
      "# La liste de la commune\n"
      "\n"
      "Con\n"
      "  Fils-de-PUTE   # une expression\n"
      "   \n"
      "c0nn4rd\r\n"
      "enculé\n"
      "con\n"
      "!!!\n"
      "merde");
  REQUIRE(parsed.list.has_value());
  CHECK(parsed.error.empty());
  CHECK(parsed.list->entries == std::vector<std::string>{"con", "connard", "encule", "fils de pute", "merde"});
}

TEST_CASE("a word list refuses a line longer than 100 bytes and names it", "[text_screen]") {
  const core::WordListResult parsed = core::parseWordList("con\n# commentaire\n" + std::string(101, 'a') + "\nmerde\n");
  CHECK_FALSE(parsed.list.has_value());
  CHECK(parsed.error == "ligne 3 : trop longue (101 octets, 100 au plus)");
  CHECK(core::parseWordList(std::string(100, 'a')).list.has_value());
  CHECK(core::parseWordList("# " + std::string(99, '-')).error == "ligne 1 : trop longue (101 octets, 100 au plus)");
}

TEST_CASE("a word list refuses invalid UTF-8 and names the line", "[text_screen]") {
  const core::WordListResult parsed = core::parseWordList("con\nencul\xE9\n");  // Latin-1 é
  CHECK_FALSE(parsed.list.has_value());
  CHECK(parsed.error == "ligne 2 : caractères illisibles : enregistrez le fichier en UTF-8");
}

TEST_CASE("a word list holds at most 10,000 entries", "[text_screen]") {
  std::string text;
  for (int i = 0; i < 10'000; ++i) text += "mot" + std::to_string(i * 2) + "\n";
  const core::WordListResult full = core::parseWordList(text);
  REQUIRE(full.list.has_value());
  CHECK(full.list->entries.size() == 10'000);
  const core::WordListResult over = core::parseWordList(text + "# encore un\nde trop\n");
  CHECK_FALSE(over.list.has_value());
  CHECK(over.error == "ligne 10002 : plus de 10 000 mots ou expressions, la limite");
}

TEST_CASE("a word list accepts a byte order mark, Windows line ends and an empty file", "[text_screen]") {
  const core::WordListResult parsed = core::parseWordList("\xEF\xBB\xBFputain\r\nbordel\r\n");
  REQUIRE(parsed.list.has_value());
  CHECK(parsed.list->entries == std::vector<std::string>{"bordel", "putain"});
  const core::WordListResult empty = core::parseWordList("");
  REQUIRE(empty.list.has_value());
  CHECK(empty.list->entries.empty());
}

TEST_CASE("the shipped French list parses and flags its own words", "[text_screen]") {
  const core::WordListResult parsed = core::parseWordList(shippedList());
  INFO(parsed.error);
  REQUIRE(parsed.list.has_value());
  const core::WordList& list = *parsed.list;
  CHECK(list.entries.size() >= 60);
  CHECK(list.entries.size() <= 120);
  CHECK(core::screenViewerText("Espèce de CONNARD !", list).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("c'est de la m3rde", list).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("Fils-de-pute", list).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("Ta gueule", list).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("quel con", list).flags == Flags{"profanity"});
  CHECK(core::screenViewerText("Quand le conseil municipal votera-t-il le budget du cul-de-sac des Lilas, "
                               "de la collecte des ordures ménagères et de la file d'attente (la queue) "
                               "à la mairie ? Je suis content du second projet.",
                               list)
            .flags.empty());
}

// --- Linear time ---------------------------------------------------------------------------

// Linear, not quadratic: the same hostile pattern 4 times longer takes about 4 times as long
// (a quadratic scan, 16). Measured as a ratio within one run, each side the best of 5, so
// that a loaded machine slows both alike; no bound on the time itself.
TEST_CASE("screening a hostile text grows linearly with its length", "[text_screen]") {
  std::string bigList;
  for (int i = 0; i < 10'000; ++i) bigList += "mot" + std::to_string(i) + " a a\n";
  const core::WordList list = words(bigList);
  const std::vector<std::string> pieces = {
      "0 ", "06 12 34 56 7",       "+33 ", "0033",  "a@", "a@b.", "a.", "@.", "a ", "é", "👏",
      "-0", "+33 (0)6 12 34 56 7", "00",   "a@b.c@"};
  auto bestOf5 = [&](const std::string& text) {
    auto best = std::chrono::steady_clock::duration::max();
    for (int run = 0; run < 5; ++run) {
      const auto start = std::chrono::steady_clock::now();
      const core::Screened screened = core::screenViewerText(text, list);
      best = std::min(best, std::chrono::steady_clock::now() - start);
      CHECK(!screened.text.empty());
    }
    return std::chrono::duration<double>(best).count();
  };
  for (const std::string& piece : pieces) {
    std::string text;
    while (text.size() < 2000) text += piece;
    std::string longer;
    while (longer.size() < 8000) longer += piece;
    INFO(piece);
    const double shortTime = bestOf5(text);
    const double longTime = bestOf5(longer);
    INFO(shortTime * 1e3 << " ms for 2000 bytes, " << longTime * 1e3 << " ms for 8000");
    CHECK(longTime < 8 * std::max(shortTime, 1e-5));
  }
}
