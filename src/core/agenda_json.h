#pragma once
// The agenda as JSON inside the meeting's events and snapshots. It is written in the schema
// of agenda files (docs/AGENDA.md), every key present, so that parseAgendaJson reads it
// back; it is read back leniently (types only, no rule of the file format), because an
// event log written by an older Tribune must replay even if the file rules grow stricter.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "core/agenda.h"

namespace tribune::core {

nlohmann::json agendaToJson(const Agenda& agenda);

struct AgendaFromJson {
  std::optional<Agenda> agenda;
  std::string error;  // what is wrong, with its JSON path, when there is no agenda
};
AgendaFromJson agendaFromJson(const nlohmann::json& value);

}  // namespace tribune::core
