#include "core/roster_csv.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

namespace tribune::core {
namespace {

enum class Column { Id, Name, Role, Group, Ignored };

// Lower case, the French accents of these few words folded: "Rôle" → "role".
std::string folded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == 0xC3 && i + 1 < text.size()) {
      const auto next = static_cast<unsigned char>(text[i + 1]);
      if (next == 0xB4 || next == 0x94) {  // ô Ô
        out += 'o';
        ++i;
        continue;
      }
      if (next == 0xA9 || next == 0x89 || next == 0xA8 || next == 0x88) {  // é É è È
        out += 'e';
        ++i;
        continue;
      }
    }
    out += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  }
  const auto first = out.find_first_not_of(" \t");
  const auto last = out.find_last_not_of(" \t");
  return first == std::string::npos ? std::string() : out.substr(first, last - first + 1);
}

std::optional<Column> columnOf(std::string_view header) {
  static const std::array<std::pair<std::string_view, Column>, 11> kNames{{
      {"id", Column::Id},
      {"identifiant", Column::Id},
      {"nom", Column::Name},
      {"name", Column::Name},
      {"nom complet", Column::Name},
      {"fonction", Column::Role},
      {"role", Column::Role},
      {"groupe", Column::Group},
      {"group", Column::Group},
      {"groupe politique", Column::Group},
      {"liste", Column::Group},
  }};
  const auto name = folded(header);
  for (const auto& [known, column] : kNames) {
    if (name == known) return column;
  }
  if (name.empty()) return Column::Ignored;  // a trailing separator
  return std::nullopt;
}

// One record: its fields, and how many lines it took (a quoted field may hold a line end).
struct Record {
  std::vector<std::string> fields;
  int lines = 1;
};

// Splits the text into records; a quote left open is reported at the line it opened on.
std::vector<Record> records(std::string_view text, char separator, std::vector<AgendaProblem>& problems) {
  std::vector<Record> out;
  Record current;
  std::string field;
  bool quoted = false;
  bool wasQuoted = false;
  int line = 1;
  int quoteLine = 0;
  current.fields.clear();
  const auto endField = [&] {
    current.fields.push_back(std::move(field));
    field.clear();
    wasQuoted = false;
  };
  const auto endRecord = [&] {
    endField();
    out.push_back(std::move(current));
    current = Record{};
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') {
          ++line;
          ++current.lines;
        }
        field += c;
      }
      continue;
    }
    if (c == '"' && field.empty() && !wasQuoted) {
      quoted = true;
      wasQuoted = true;
      quoteLine = line;
    } else if (c == separator) {
      endField();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      endRecord();
      ++line;
    } else {
      field += c;
    }
  }
  if (quoted) {
    problems.push_back({"ligne " + std::to_string(quoteLine), "un guillemet ouvert n'est jamais refermé"});
  }
  if (!field.empty() || !current.fields.empty()) endRecord();
  return out;
}

std::string trimmed(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

}  // namespace

RosterResult parseRosterCsv(std::string_view text) {
  RosterResult result;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  const auto headerEnd = text.find('\n');
  const auto header = text.substr(0, headerEnd);
  char separator = ';';
  for (char candidate : {';', ',', '\t'}) {
    if (header.find(candidate) != std::string_view::npos) {
      separator = candidate;
      break;
    }
  }
  auto rows = records(text, separator, result.problems);
  if (!result.problems.empty()) return result;
  if (rows.empty() || (rows.size() == 1 && rows[0].fields.size() == 1 && trimmed(rows[0].fields[0]).empty())) {
    result.problems.push_back({"ligne 1",
                               "le fichier est vide : la première ligne doit nommer les colonnes "
                               "(nom;fonction;groupe)"});
    return result;
  }
  std::vector<Column> columns;
  bool hasName = false;
  bool hasId = false;
  for (const auto& name : rows[0].fields) {
    auto column = columnOf(name);
    if (!column) {
      result.problems.push_back({"ligne 1", "colonne « " + trimmed(name) +
                                                " » inconnue : les colonnes possibles sont nom, fonction, groupe "
                                                "et id (la première ligne nomme les colonnes)"});
      return result;
    }
    if (*column != Column::Ignored && std::count(columns.begin(), columns.end(), *column) > 0) {
      result.problems.push_back({"ligne 1", "la colonne « " + trimmed(name) + " » est donnée deux fois"});
      return result;
    }
    hasName = hasName || *column == Column::Name;
    hasId = hasId || *column == Column::Id;
    columns.push_back(*column);
  }
  if (!hasName) {
    result.problems.push_back({"ligne 1",
                               "il manque la colonne « nom » (la première ligne nomme les colonnes : "
                               "nom;fonction;groupe)"});
    return result;
  }
  int line = 1 + rows[0].lines;
  std::vector<int> lineOf;  // the line of each councillor, for the problems
  for (std::size_t r = 1; r < rows.size(); ++r) {
    const auto& row = rows[r];
    const int at = line;
    line += row.lines;
    if (std::all_of(row.fields.begin(), row.fields.end(), [](const std::string& f) { return trimmed(f).empty(); })) {
      continue;  // a blank line
    }
    if (row.fields.size() > columns.size()) {
      result.problems.push_back({"ligne " + std::to_string(at), std::to_string(row.fields.size()) + " champs pour " +
                                                                    std::to_string(columns.size()) +
                                                                    " colonnes (un séparateur de trop ?)"});
      continue;
    }
    Councillor councillor;
    for (std::size_t i = 0; i < row.fields.size(); ++i) {
      auto value = trimmed(row.fields[i]);
      switch (columns[i]) {
        case Column::Id: councillor.id = std::move(value); break;
        case Column::Name: councillor.name = std::move(value); break;
        case Column::Role: councillor.role = std::move(value); break;
        case Column::Group: councillor.group = std::move(value); break;
        case Column::Ignored: break;
      }
    }
    if (!hasId) {
      char id[16];
      std::snprintf(id, sizeof id, "cm-%02zu", result.councillors.size() + 1);
      councillor.id = id;
    }
    result.councillors.push_back(std::move(councillor));
    lineOf.push_back(at);
  }
  if (!result.problems.empty()) return result;
  // The agenda's own rules (lengths, ids, names, 200 at most), its problems moved to lines.
  nlohmann::json councillors = nlohmann::json::array();
  for (const auto& c : result.councillors) {
    councillors.push_back({{"id", c.id}, {"name", c.name}, {"role", c.role}, {"group", c.group}});
  }
  const nlohmann::json agenda{{"meeting", {{"commune", "x"}, {"date", "2026-01-01"}}},
                              {"items", nlohmann::json::array({{{"number", "1"}, {"title", "x"}}})},
                              {"councillors", std::move(councillors)}};
  auto parsed = parseAgendaJson(agenda.dump());
  for (auto problem : parsed.problems) {
    // "councillors[3].name" → "ligne 5 (nom)"; "councillors" (too many) stays whole.
    std::size_t index = 0;
    std::string field;
    if (std::sscanf(problem.where.c_str(), "councillors[%zu]", &index) == 1 && index < lineOf.size()) {
      const auto dot = problem.where.find("].");
      field = dot == std::string::npos ? "" : problem.where.substr(dot + 2);
      const char* french = field == "name" ? "nom" : field == "role" ? "fonction" : field == "group" ? "groupe" : "id";
      problem.where =
          "ligne " + std::to_string(lineOf[index]) + (field.empty() ? "" : std::string(" (") + french + ")");
    }
    result.problems.push_back(std::move(problem));
  }
  return result;
}

}  // namespace tribune::core
