#include "core/settings.h"

#include <algorithm>
#include <utility>

namespace tribune::core {
namespace {

using Json = SettingsJson;

bool editable(std::string_view section) {
  return std::find(std::begin(kEditableSections), std::end(kEditableSections), section) != std::end(kEditableSections);
}

std::string at(std::size_t index, std::string_view member) {
  return "destinations[" + std::to_string(index) + "]." + std::string(member);
}

// The destination named `name` in a document, or nothing.
const Json* destinationNamed(const Json& document, const std::string& name) {
  const auto list = document.find("destinations");
  if (list == document.end() || !list->is_array()) return nullptr;
  for (const auto& destination : *list) {
    if (destination.is_object() && destination.value("name", std::string()) == name) return &destination;
  }
  return nullptr;
}

std::string applicationUrl(const PublishUrl& url) {
  const std::string host = url.host.find(':') != std::string::npos ? "[" + url.host + "]" : url.host;
  return (url.tls ? "rtmps://" : "rtmp://") + host + ":" + std::to_string(url.port) + "/" + url.app;
}

// A destination of the console's list turned into the document's, its key kept, typed or
// dropped. Adds to `edit` the secrets to write and the problems.
Json destinationEntry(const Json& given, std::size_t index, const Json& currentDocument, SettingsEdit& edit,
                      bool& keyStored) {
  Json entry = Json::object();
  for (const auto& [member, value] : given.items()) {
    if (member == "key" || member == "previous_name") continue;
    if ((member == "platform" || member == "url") && value.is_string() && value.get<std::string>().empty()) continue;
    entry[member] = value;
  }
  const std::string name = given.value("name", std::string());
  const auto key = given.find("key");
  if (key != given.end() && !key->is_string()) {
    edit.problems.push_back({at(index, "key"), "La clé doit être un texte."});
    return entry;
  }
  const std::string typed = key == given.end() ? std::string(kKeptKey) : key->get<std::string>();
  if (typed.empty()) return entry;  // no key of its own: the URL carries it, or validation says it lacks
  if (typed != kKeptKey) {
    edit.secrets[consoleSecretName(name)] = typed;
    entry["key_secret"] = consoleSecretName(name);
    keyStored = true;
    return entry;
  }
  // "****": the key this destination had, found by its previous name when renamed.
  const auto previous = given.find("previous_name");
  const std::string oldName = previous != given.end() && previous->is_string() ? previous->get<std::string>() : name;
  const Json* old = destinationNamed(currentDocument, oldName);
  if (old == nullptr) {
    if (key != given.end()) edit.problems.push_back({at(index, "key"), "Donnez la clé de diffusion."});
    return entry;
  }
  for (const char* reference : {"key_env", "key_secret"}) {
    if (old->contains(reference)) {
      entry[reference] = (*old)[reference];
      return entry;
    }
  }
  // A key written in the file itself, or at the end of its URL: into the secrets file,
  // since the settings are not a place for keys.
  std::string value;
  if (const auto inline_ = old->find("key"); inline_ != old->end() && inline_->is_string()) {
    value = inline_->get<std::string>();
  } else if (const auto url = old->find("url"); url != old->end() && url->is_string()) {
    if (auto parsed = parsePublishUrl(url->get<std::string>()); parsed.url) value = parsed.url->key.reveal();
  }
  if (value.empty()) return entry;
  // The URL it had, when the console's is the same server without the key.
  if (!entry.contains("url") && old->contains("url") && !old->contains("key")) {
    edit.problems.push_back({at(index, "url"), "Donnez l'adresse du serveur."});
    return entry;
  }
  edit.secrets[consoleSecretName(name)] = value;
  entry["key_secret"] = consoleSecretName(name);
  keyStored = true;
  return entry;
}

}  // namespace

std::string consoleSecretName(std::string_view destination) { return "destination-" + std::string(destination); }

SettingsFileResult settingsFromJson(const SettingsJson& json) {
  SettingsFileResult result;
  if (!json.is_object()) return {std::nullopt, "not a JSON object"};
  const auto revision = json.find("revision");
  if (revision == json.end() || !revision->is_number_unsigned()) return {std::nullopt, "no revision"};
  const auto patch = json.find("patch");
  if (patch == json.end() || !patch->is_object()) return {std::nullopt, "no patch object"};
  result.settings = SettingsFile{revision->get<std::uint64_t>(), *patch};
  return result;
}

SettingsJson settingsToJson(const SettingsFile& settings) {
  return Json{{"revision", settings.revision}, {"patch", settings.patch}};
}

SettingsJson effectiveDocument(const SettingsJson& base, const SettingsJson& patch) {
  Json document = base.is_object() ? base : Json::object();
  document.merge_patch(patch);
  return document;
}

SettingsRequestResult parseSettingsRequest(const SettingsJson& body) {
  if (!body.is_object()) return {std::nullopt, "Le corps n'est pas un objet JSON."};
  SettingsEditRequest request;
  const auto revision = body.find("revision");
  if (revision == body.end() || !revision->is_number_unsigned()) {
    return {std::nullopt, "« revision » manque : rechargez les réglages puis recommencez."};
  }
  request.revision = revision->get<std::uint64_t>();
  const auto patch = body.find("patch");
  if (patch == body.end() || !patch->is_object()) {
    return {std::nullopt, "« patch » doit être un objet : les sections à changer."};
  }
  for (const auto& [section, value] : patch->items()) {
    if (!editable(section)) {
      return {std::nullopt, "« " + section +
                                " » ne se règle pas depuis la console : modifiez /etc/tribune/tribune.json "
                                "(sections réglables : destinations, branding, video, questions, web, graphics)."};
    }
  }
  request.patch = *patch;
  if (const auto dryRun = body.find("dry_run"); dryRun != body.end()) {
    if (!dryRun->is_boolean()) return {std::nullopt, "« dry_run » doit valoir true ou false."};
    request.dryRun = dryRun->get<bool>();
  }
  for (const auto& [member, value] : body.items()) {
    if (member != "revision" && member != "patch" && member != "dry_run") {
      return {std::nullopt, "Membre inconnu : « " + member + " »."};
    }
  }
  return {std::move(request), ""};
}

SettingsEdit prepareSettingsEdit(const SettingsFile& current, const SettingsJson& base,
                                 const SettingsEditRequest& request,
                                 const std::optional<std::string>& secretsFileToSet) {
  SettingsEdit edit;
  if (request.revision != current.revision) {
    edit.conflict = true;
    return edit;
  }
  const Json currentDocument = effectiveDocument(base, current.patch);
  Json patch = current.patch;
  bool keyStored = false;
  for (const auto& [section, value] : request.patch.items()) {
    if (value.is_null()) {
      patch.erase(section);  // back to the file's
    } else if (section == "destinations") {
      if (!value.is_array()) {
        edit.problems.push_back({"destinations", "Attendu : la liste des destinations."});
        continue;
      }
      Json list = Json::array();
      for (std::size_t i = 0; i < value.size(); ++i) {
        if (!value[i].is_object()) {
          edit.problems.push_back({"destinations[" + std::to_string(i) + "]", "Attendu : une destination (objet)."});
          continue;
        }
        list.push_back(destinationEntry(value[i], i, currentDocument, edit, keyStored));
      }
      patch["destinations"] = std::move(list);
    } else if (value.is_object() && patch.contains(section) && patch[section].is_object()) {
      patch[section].merge_patch(value);
    } else {
      Json section_ = Json::object();
      section_.merge_patch(value);  // drops the nulls of a new section
      patch[section] = value.is_object() ? section_ : value;
    }
  }
  if (keyStored && secretsFileToSet) patch["secrets_file"] = *secretsFileToSet;
  edit.next = SettingsFile{current.revision + 1, std::move(patch)};
  return edit;
}

std::vector<ConfigProblem> consoleProblems(std::vector<ConfigProblem> problems) {
  constexpr std::string_view kSecretMember = ".key_secret";
  for (auto& problem : problems) {
    auto& path = problem.path;
    if (path.rfind("destinations[", 0) == 0 && path.size() > kSecretMember.size() &&
        path.compare(path.size() - kSecretMember.size(), kSecretMember.size(), kSecretMember) == 0) {
      path.replace(path.size() - kSecretMember.size(), kSecretMember.size(), ".key");
    }
  }
  return problems;
}

SettingsJson settingsValues(const Config& config, const SettingsJson& effective) {
  Json destinations = Json::array();
  const auto documentList = effective.find("destinations");
  for (std::size_t i = 0; i < config.destinations.size(); ++i) {
    const auto& d = config.destinations[i];
    const bool urlGiven = documentList != effective.end() && documentList->is_array() && i < documentList->size() &&
                          (*documentList)[i].contains("url");
    destinations.push_back({{"name", d.name},
                            {"platform", d.platform},
                            {"url", urlGiven ? applicationUrl(d.url) : std::string()},
                            {"enabled", d.enabled},
                            {"tls_verify", d.tlsVerify},
                            {"key", d.url.key.empty() ? std::string() : std::string(kKeptKey)}});
  }
  const auto& b = config.branding;
  Json logo = nullptr;
  if (b.logo) {
    const auto slash = b.logo->find_last_of('/');
    logo = slash == std::string::npos ? *b.logo : b.logo->substr(slash + 1);
  }
  const auto& v = config.video;
  const auto& q = config.questions;
  return Json{{"destinations", std::move(destinations)},
              {"branding",
               {{"commune", b.commune},
                {"logo", logo},
                {"primary_color", b.primaryColor},
                {"accent_color", b.accentColor},
                {"text_color", b.textColor},
                {"font", b.font}}},
              {"video",
               {{"profile", v.profile == VideoProfile::P1080p30 ? "1080p30" : "720p30"},
                {"bitrate_kbps", v.bitrateKbps},
                {"preset", v.x264Preset},
                {"keyframe_interval_s", v.keyframeIntervalSeconds}}},
              {"questions",
               {{"enabled", q.enabled},
                {"prescreen", q.prescreen},
                {"max_length", q.maxLength},
                {"retention_days", q.retentionDays}}},
              {"web", {{"address", config.web.address}, {"port", config.web.port}}},
              {"graphics",
               {{"question_url", config.graphics.questionUrl ? Json(*config.graphics.questionUrl) : Json(nullptr)}}}};
}

std::vector<std::string> sectionsNeedingRestart(const Config& saved, const Config& running) {
  const auto& a = saved.web;
  const auto& b = running.web;
  if (a.address != b.address || a.port != b.port || a.tlsCertificate != b.tlsCertificate || a.tlsKey != b.tlsKey) {
    return {"web"};
  }
  return {};
}

}  // namespace tribune::core
