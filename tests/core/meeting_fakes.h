#pragma once
// A small council and agenda for the meeting tests, and helpers to read events.
#include <algorithm>
#include <string>
#include <vector>

#include "core/agenda.h"
#include "core/meeting.h"
#include "fakes.h"

namespace tribune::testing {

// Five items, one of each kind and a "bis"; five councillors, with and without role and group.
inline core::Agenda demoAgenda() {
  core::Agenda agenda;
  agenda.meeting = {"Ville de Démo", "Conseil municipal", "2026-12-03", "19:00", "Salle du conseil"};
  agenda.items = {
      {"1", "Approbation du procès-verbal de la séance du 15 octobre 2026", "M. Bernard Lefèvre, maire",
       core::ItemKind::Deliberation},
      {"2", "Décision modificative n°2 au budget principal 2026", "Mme Claire Martin, adjointe aux finances",
       core::ItemKind::Deliberation},
      {"6 bis", "Avenant n°1 à la convention de groupement de commandes", "", core::ItemKind::Deliberation},
      {"8", "Information : rapport annuel sur le prix et la qualité du service public de l'eau",
       "M. Jean-Paul Rousseau", core::ItemKind::Information},
      {"QD1", "Question diverse : sécurisation du passage piéton", "Mme Anne Dubois", core::ItemKind::QuestionDiverse},
  };
  agenda.councillors = {
      {"cm-01", "M. Bernard Lefèvre", "Maire", "Agir pour Démo"},
      {"cm-02", "Mme Claire Martin", "Adjointe aux finances", "Agir pour Démo"},
      {"cm-03", "M. Karim Benali", "Adjoint aux sports", ""},
      {"cm-04", "Mme Nadia Haddad", "", "Agir pour Démo"},
      {"cm-05", "Mme Anne Dubois", "Conseillère municipale", "Démo Avenir"},
  };
  return agenda;
}

inline core::Meeting demoMeeting() { return core::Meeting("conseil-2026-12-03", demoAgenda(), at(0)); }

inline std::vector<std::string> typesOf(const std::vector<core::MeetingEvent>& events) {
  std::vector<std::string> types;
  types.reserve(events.size());
  for (const auto& event : events) types.push_back(event.type);
  return types;
}

// "overlay_shown lower_third agenda", "overlay_hidden slate": what an overlay event did.
inline std::vector<std::string> overlayChanges(const std::vector<core::MeetingEvent>& events) {
  std::vector<std::string> changes;
  for (const auto& event : events) {
    if (event.type.rfind("overlay_", 0) != 0) continue;
    changes.push_back(event.type + " " + event.data.at("layer").get<std::string>() + " " +
                      event.data.at("template").get<std::string>());
  }
  return changes;
}

inline const core::MeetingEvent* firstOfType(const std::vector<core::MeetingEvent>& events, const std::string& type) {
  const auto found =
      std::find_if(events.begin(), events.end(), [&type](const core::MeetingEvent& e) { return e.type == type; });
  return found == events.end() ? nullptr : &*found;
}

}  // namespace tribune::testing
