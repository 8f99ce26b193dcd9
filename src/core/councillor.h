#pragma once
// A member of the council: who votes, who is named on the speaker lower-third. Listed in
// the agenda file ("councillors"), referred to everywhere else by id.
#include <string>

namespace tribune::core {

struct Councillor {
  std::string id;     // "cm-01": stable within the meeting, [a-z0-9-]{1,32}
  std::string name;   // "Mme Claire Martin"
  std::string role;   // "Adjointe aux finances"; empty when none
  std::string group;  // "Agir pour Démo"; empty when none
  friend bool operator==(const Councillor&, const Councillor&) = default;
};

}  // namespace tribune::core
