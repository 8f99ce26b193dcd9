#include "core/platform_identity.h"

#include <algorithm>

#include <nlohmann/json.hpp>

namespace tribune::core {

namespace {

using Json = nlohmann::json;

Json parse(std::string_view body) { return Json::parse(body.begin(), body.end(), nullptr, false); }

const Json* member(const Json& object, const char* name) {
  if (!object.is_object()) return nullptr;
  const auto found = object.find(name);
  return found == object.end() ? nullptr : &*found;
}

std::optional<std::string> text(const Json& object, const char* name) {
  const Json* value = member(object, name);
  if (value == nullptr || !value->is_string()) return std::nullopt;
  return value->get<std::string>();
}

// An id goes into API paths as it is (a Page's live_videos): letters, digits, '-' and '_'
// only, or it is not an id.
bool pathSafe(const std::string& id) {
  return !id.empty() && std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// Ids come as strings on Google and Facebook, as numbers on PeerTube.
std::optional<std::string> idOf(const Json& object, const char* name) {
  const Json* value = member(object, name);
  if (value == nullptr) return std::nullopt;
  if (value->is_string() && pathSafe(value->get<std::string>())) return value->get<std::string>();
  if (value->is_number_integer()) return std::to_string(value->get<long long>());
  return std::nullopt;
}

IdentityAnswer failure(std::string error) { return {std::nullopt, std::move(error)}; }

}  // namespace

IdentityAnswer parseYouTubeChannel(std::string_view body) {
  const Json document = parse(body);
  const Json* items = member(document, "items");
  if (items == nullptr || !items->is_array()) return failure("réponse YouTube sans liste de chaînes (items)");
  if (items->empty()) return failure("ce compte Google n'a pas de chaîne YouTube : créez-la sur youtube.com");
  const Json& channel = items->front();
  auto id = idOf(channel, "id");
  const Json* snippet = member(channel, "snippet");
  auto title = snippet != nullptr ? text(*snippet, "title") : std::nullopt;
  if (!id) return failure("réponse YouTube : items[0].id manquant");
  if (!title) return failure("réponse YouTube : items[0].snippet.title manquant");
  return {AccountIdentity{*id, *title, {}}, {}};
}

IdentityAnswer parseFacebookPages(std::string_view body, std::string_view pageId) {
  const Json document = parse(body);
  const Json* data = member(document, "data");
  if (data == nullptr || !data->is_array()) return failure("réponse Facebook sans liste de Pages (data)");
  std::vector<AccountIdentity> pages;
  std::string names;
  for (const Json& page : *data) {
    auto id = idOf(page, "id");
    auto name = text(page, "name");
    auto token = text(page, "access_token");
    if (!id || !name || !token || token->empty()) continue;
    if (!names.empty()) names += ", ";
    names += *name + " (" + *id + ")";
    pages.push_back({*id, *name, Secret(*token)});
  }
  if (pages.empty()) {
    return failure("ce compte Facebook n'administre aucune Page, ou n'a pas donné l'accès aux Pages");
  }
  if (pageId.empty()) {
    if (pages.size() == 1) return {std::move(pages.front()), {}};
    return failure("ce compte administre plusieurs Pages : choisissez-en une avec platforms.facebook.page_id (" +
                   names + ")");
  }
  for (auto& page : pages) {
    if (page.id == pageId) return {std::move(page), {}};
  }
  return failure("la Page " + std::string(pageId) +
                 " (platforms.facebook.page_id) n'est pas parmi celles de ce compte (" + names + ")");
}

IdentityAnswer parsePeerTubeMe(std::string_view body, std::string_view channel) {
  const Json document = parse(body);
  const Json* account = member(document, "account");
  auto user = text(document, "username");
  if (!user && account != nullptr) user = text(*account, "name");
  if (!user) return failure("réponse PeerTube : username manquant");
  const Json* channels = member(document, "videoChannels");
  if (channels == nullptr || !channels->is_array() || channels->empty()) {
    return failure("ce compte PeerTube n'a pas de chaîne : créez-en une sur l'instance");
  }
  std::string names;
  for (const Json& candidate : *channels) {
    auto id = idOf(candidate, "id");
    auto name = text(candidate, "name");
    if (!id || !name) continue;
    if (channel.empty() || *name == channel) {
      auto shown = text(candidate, "displayName").value_or(*name);
      return {AccountIdentity{*id, *user + " (" + shown + ")", {}}, {}};
    }
    if (!names.empty()) names += ", ";
    names += *name;
  }
  return failure("la chaîne " + std::string(channel) + " (platforms.peertube.channel) n'est pas à ce compte (" + names +
                 ")");
}

std::optional<OAuthClient> parsePeerTubeClient(std::string_view body) {
  const Json document = parse(body);
  auto id = text(document, "client_id");
  auto secret = text(document, "client_secret");
  if (!id || !secret || id->empty()) return std::nullopt;
  return OAuthClient{*id, Secret(*secret)};
}

}  // namespace tribune::core
