// The console's settings page (issue 23, docs/SETTINGS.md): /api/settings, the logo's
// upload and the lower-third's preview. On the station's thread, in standby and while a
// meeting runs (a saved change applies to the next meeting).
#include <spdlog/spdlog.h>

#include <fstream>

#include "app/api_response.h"
#include "app/branding.h"
#include "app/station.h"
#include "core/logo_check.h"
#include "graphics/image_file.h"

namespace tribune::app {

std::shared_ptr<spdlog::logger> stationLogger();  // station.cpp

namespace {

using Json = nlohmann::json;

web::HttpResponse settingsAnswer(int status, const core::SettingsJson& body) {
  return jsonResponse(status, Json(body));
}

web::HttpResponse refused(int status, const std::string& error) {
  return jsonResponse(status, {{"status", "invalid"}, {"error", error}});
}

// DATA/branding/logo-N.EXT with the first N not taken: a new name for every upload, so that
// the logo of the running meeting is never overwritten under it.
std::filesystem::path newLogoFile(const std::filesystem::path& dir, core::LogoKind kind) {
  std::filesystem::create_directories(dir);
  const char* extension = kind == core::LogoKind::Png ? ".png" : ".svg";
  for (int n = 1;; ++n) {
    auto file = dir / ("logo-" + std::to_string(n) + extension);
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return file;
  }
}

}  // namespace

void Station::handleSettings(const web::HttpRequest& request) {
  auto respond = [this, id = request.id](web::HttpResponse response) { web_->respond(id, std::move(response)); };
  const auto role = tokens_->roleOf(request.bearerToken);
  if (!role) return respond(errorResponse(core::StatusCode::InvalidToken, "Jeton inconnu."));
  if (*role != core::Role::Technician) {
    return respond(errorResponse(core::StatusCode::Forbidden, "Réservé au technicien."));
  }
  if (request.path == "/api/settings") {
    if (request.method == "GET") {
      try {
        const auto loaded = settings_->load();
        return respond(
            settingsAnswer(200, {{"revision", settings_->revision()},
                                 {"meeting_running", hub_ != nullptr},
                                 {"restart_needed", core::sectionsNeedingRestart(loaded.config, startedWith_)},
                                 {"values", settings_->values(loaded.config)}}));
      } catch (const ConfigError& error) {
        // What is saved no longer holds (a secrets file edited by hand): say what, so that the
        // page can still be used to mend it.
        return respond(jsonResponse(500, {{"status", "invalid"},
                                          {"error", "Les réglages enregistrés ne sont plus valables : corrigez-les."},
                                          {"revision", settings_->revision()},
                                          {"problems", Json(problemsJson(core::consoleProblems(error.problems())))}}));
      }
    }
    if (request.method != "POST") return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
    const auto body = core::SettingsJson::parse(request.body, nullptr, false);
    if (body.is_discarded()) return respond(refused(400, "Le corps n'est pas du JSON."));
    SettingsSave save;
    try {
      save = settings_->save(body);
    } catch (const std::runtime_error& error) {
      stationLogger()->error("settings: {}", error.what());
      return respond(
          refused(500, "Les réglages n'ont pas pu être écrits sur le disque : " + std::string(error.what())));
    }
    if (save.config) {
      auto config = std::move(save.config->config);
      makePathsAbsolute(config, save.config->baseDir);
      if (options_.sourceOverride) config.source = *options_.sourceOverride;
      save.body["applies"] = hub_ ? "next_meeting" : "now";
      save.body["restart_needed"] = core::sectionsNeedingRestart(config, startedWith_);
      std::string sections;
      for (const auto& [section, value] : body["patch"].items()) sections += (sections.empty() ? "" : ", ") + section;
      stationLogger()->info("réglages enregistrés / settings saved: revision {}, {}", settings_->revision(), sections);
      options_.hub.config = std::move(config);
    }
    return respond(settingsAnswer(save.status, save.body));
  }
  if (request.method != "POST") return respond(jsonResponse(405, {{"status", "method_not_allowed"}}));
  if (request.path == "/api/settings/logo") {
    const auto kind = core::logoKind(request.body);
    if (!kind) return respond(refused(422, "Ce fichier n'est pas une image PNG ou SVG."));
    if (*kind == core::LogoKind::Svg) {
      if (auto refusal = core::svgRefusal(request.body)) return respond(refused(422, *refusal));
    }
    if (auto problem = graphics::undecodableImage(request.body, *kind)) return respond(refused(422, *problem));
    const auto file = newLogoFile(settings_->logoDir(), *kind);
    std::ofstream out(file, std::ios::binary);
    out << request.body;
    out.close();
    if (!out) return respond(refused(500, "Le logo n'a pas pu être écrit sur le disque."));
    return respond(jsonResponse(200, {{"logo", file.string()}, {"name", file.filename().string()}}));
  }
  if (request.path == "/api/settings/preview") {
    const auto body = core::SettingsJson::parse(request.body, nullptr, false);
    if (!body.is_object() || !body.contains("branding") || !body["branding"].is_object()) {
      return respond(refused(400, "Attendu : {\"branding\": {…}}."));
    }
    auto result = settings_->withBranding(body["branding"]);
    if (!result.ok()) {
      return respond(jsonResponse(422, {{"status", "invalid"},
                                        {"error", "Aperçu impossible : corrigez les champs signalés."},
                                        {"problems", Json(problemsJson(result.problems))}}));
    }
    makePathsAbsolute(result.config, std::filesystem::absolute(options_.configFile.value_or(".")).parent_path());
    const auto preview = lowerThirdPreview(result.config, options_.hub.shareDir);
    if (preview.png.empty()) return respond(refused(422, "Aperçu impossible : " + preview.error));
    return respond({200, "image/png", preview.png, {}, {}});
  }
  return respond(jsonResponse(404, {{"status", "not_found"}}));
}

}  // namespace tribune::app
