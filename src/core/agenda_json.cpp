#include "core/agenda_json.h"

#include <utility>

namespace tribune::core {

namespace {

using Json = nlohmann::json;

// Reads the members of one object; the first problem wins, with its path.
class Reader {
 public:
  explicit Reader(std::string& error) : error_(error) {}

  [[nodiscard]] bool failed() const { return !error_.empty(); }

  bool object(const Json& value, const std::string& path) {
    if (value.is_object()) return true;
    fail(path, "attendu un objet");
    return false;
  }

  const Json* array(const Json& parent, const char* key, const std::string& path) {
    const auto found = parent.find(key);
    if (found == parent.end()) return nullptr;
    if (!found->is_array()) {
      fail(path + "." + key, "attendu un tableau");
      return nullptr;
    }
    return &*found;
  }

  // A string member; absent means empty.
  std::string text(const Json& parent, const char* key, const std::string& path) {
    const auto found = parent.find(key);
    if (found == parent.end()) return {};
    if (!found->is_string()) {
      fail(path + "." + key, "attendu une chaîne");
      return {};
    }
    return found->get<std::string>();
  }

  void fail(const std::string& path, const std::string& message) {
    if (error_.empty()) error_ = "agenda" + path + ": " + message;
  }

 private:
  std::string& error_;
};

}  // namespace

Json agendaToJson(const Agenda& agenda) {
  Json items = Json::array();
  for (const auto& item : agenda.items) {
    items.push_back({{"number", item.number},
                     {"title", item.title},
                     {"rapporteur", item.rapporteur},
                     {"kind", std::string(toString(item.kind))}});
  }
  Json councillors = Json::array();
  for (const auto& councillor : agenda.councillors) {
    councillors.push_back(
        {{"id", councillor.id}, {"name", councillor.name}, {"role", councillor.role}, {"group", councillor.group}});
  }
  const auto& meeting = agenda.meeting;
  return {{"meeting",
           {{"commune", meeting.commune},
            {"title", meeting.title},
            {"date", meeting.date},
            {"time", meeting.time},
            {"place", meeting.place}}},
          {"items", std::move(items)},
          {"councillors", std::move(councillors)}};
}

AgendaFromJson agendaFromJson(const Json& value) {
  std::string error;
  Reader read(error);
  Agenda agenda;
  if (read.object(value, "")) {
    if (const auto found = value.find("meeting"); found != value.end() && read.object(*found, ".meeting")) {
      auto& meeting = agenda.meeting;
      meeting.commune = read.text(*found, "commune", ".meeting");
      meeting.title = read.text(*found, "title", ".meeting");
      meeting.date = read.text(*found, "date", ".meeting");
      meeting.time = read.text(*found, "time", ".meeting");
      meeting.place = read.text(*found, "place", ".meeting");
    }
    if (const auto* items = read.array(value, "items", "")) {
      for (std::size_t i = 0; i < items->size() && !read.failed(); ++i) {
        const auto path = ".items[" + std::to_string(i) + "]";
        const auto& member = (*items)[i];
        if (!read.object(member, path)) break;
        AgendaItem item;
        item.number = read.text(member, "number", path);
        item.title = read.text(member, "title", path);
        item.rapporteur = read.text(member, "rapporteur", path);
        const auto kind = read.text(member, "kind", path);
        if (const auto known = itemKindFromString(kind)) {
          item.kind = *known;
        } else if (!kind.empty()) {
          read.fail(path + ".kind", "type inconnu « " + kind + " »");
        }
        agenda.items.push_back(std::move(item));
      }
    }
    if (const auto* councillors = read.array(value, "councillors", "")) {
      for (std::size_t i = 0; i < councillors->size() && !read.failed(); ++i) {
        const auto path = ".councillors[" + std::to_string(i) + "]";
        const auto& member = (*councillors)[i];
        if (!read.object(member, path)) break;
        agenda.councillors.push_back({read.text(member, "id", path), read.text(member, "name", path),
                                      read.text(member, "role", path), read.text(member, "group", path)});
      }
    }
  }
  if (!error.empty()) return {std::nullopt, std::move(error)};
  return {std::move(agenda), {}};
}

}  // namespace tribune::core
