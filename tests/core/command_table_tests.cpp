#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

#include "core/command_table.h"
#include "core/publish_url.h"
#include "fakes.h"
#include "meeting_fakes.h"

using namespace tribune;
using core::Role;
using core::StatusCode;
using nlohmann::json;
using testing::at;

namespace {

constexpr const char* kViewerId = "viewer-browser-0000000001";

struct World {
  testing::ScriptedRandom random{0.5};
  core::Broadcast broadcast{core::RetrySettings{}, random};
  core::Meeting meeting = testing::demoMeeting();
  core::QuestionIntake intake;
  core::PlatformBoard platforms{[] {
                                  core::PlatformsSettings settings;
                                  settings.youtube = core::YouTubePlatformSettings{};
                                  return settings;
                                }(),
                                {}};

  World() {
    core::DestinationSettings youtube;
    youtube.name = "youtube";
    youtube.url = *core::parsePublishUrl("rtmp://127.0.0.1/live/key").url;
    broadcast.addDestination(youtube, at(0));
    meeting.takeEvents();
  }

  core::DispatchResult send(const std::string& type, json params = json::object(), Role role = Role::Technician) {
    const core::Caller caller{role, role == Role::Viewer ? kViewerId : "", "192.0.2.10", {}};
    return core::dispatch({type, std::move(params)}, caller,
                          {meeting, broadcast, intake, at(10), 1'790'000'000'000, &platforms});
  }
  // A viewer's question, approved when `approved`; its id.
  std::uint64_t ask(const std::string& text, bool approved = true) {
    const auto asked = send("question.ask", {{"text", text}}, Role::Viewer);
    INFO(asked.message);
    REQUIRE(asked.ok());
    const auto id = asked.data.at("question").get<std::uint64_t>();
    if (approved) sendOk("question.approve", {{"question", id}});
    return id;
  }
  void sendOk(const std::string& type, json params = json::object()) {
    const auto result = send(type, std::move(params));
    INFO(type << ": " << result.message);
    REQUIRE(result.ok());
  }
};

// A request each command accepts from the technician, with what the world needs first.
struct ValidRequest {
  std::string type;
  json params;
  std::function<void(World&)> prepare;
};

const std::vector<ValidRequest>& validRequests() {
  const auto open = [](World& w) { w.sendOk("session.open"); };
  const auto levee = [](World& w) {
    w.sendOk("session.open");
    w.sendOk("session.close");
  };
  static const std::vector<ValidRequest> kRequests{
      {"session.open", json::object(), [](World&) {}},
      {"session.suspend", json::object(), open},
      {"session.resume", json::object(),
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.suspend");
       }},
      {"session.huis_clos", json::object(), open},
      {"session.leave_huis_clos", json::object(),
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("session.huis_clos");
       }},
      {"session.close", json::object(), open},
      {"session.public_questions", json::object(), levee},
      {"session.end", json::object(), levee},
      {"agenda.next", json::object(), open},
      {"agenda.previous", json::object(),
       [](World& w) {
         w.sendOk("session.open");
         w.sendOk("agenda.next");
       }},
      {"agenda.jump", {{"number", "6 bis"}}, open},
      {"vote.record",
       {{"item", "1"}, {"ballot", "public"}, {"choices", {{"cm-01", "pour"}, {"cm-05", "contre"}}}},
       open},
      {"speaker.show", {{"councillor", "cm-02"}}, open},
      {"speaker.hide", json::object(),
       [](World& w) {
         w.sendOk("speaker.show", {{"councillor", "cm-02"}});
       }},
      {"overlay.show", {{"layer", "slate"}, {"template", "starting"}}, [](World&) {}},
      {"overlay.update", {{"layer", "lower_third"}, {"values", {{"title", "Budget"}}}}, open},
      {"overlay.hide", {{"layer", "bug"}}, open},
      {"broadcast.start", json::object(), [](World&) {}},
      {"broadcast.stop", json::object(), [](World& w) { w.sendOk("broadcast.start"); }},
      {"destination.retry", {{"name", "youtube"}}, [](World& w) { w.sendOk("broadcast.start"); }},
      {"destination.enable", {{"name", "youtube"}, {"enabled", false}}, [](World&) {}},
      {"destination.add", {{"platform", "twitch"}, {"key", "live_123"}}, [](World&) {}},
      {"question.ask", {{"text", "Quand le passage piéton sera-t-il sécurisé ?"}}, [](World&) {}},
      {"question.upvote", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?"); }},
      {"question.approve", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?", false); }},
      {"question.edit",
       {{"question", 1}, {"text", "Et la piscine municipale ?"}},
       [](World& w) { w.ask("Et la piscine ?"); }},
      {"question.reject", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?", false); }},
      {"question.restore",
       {{"question", 1}},
       [](World& w) {
         w.ask("Et la piscine ?", false);
         w.sendOk("question.reject", {{"question", 1}});
       }},
      {"question.delete", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?", false); }},
      {"question.written_reply", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?"); }},
      {"question.move",
       {{"question", 2}, {"to", "top"}},
       [](World& w) {
         w.ask("Et la piscine ?");
         w.ask("Et le marché ?");
       }},
      {"question.merge",
       {{"question", 2}, {"into", 1}},
       [](World& w) {
         w.ask("Et la piscine ?");
         w.ask("La piscine rouvre quand ?");
       }},
      {"question.on_air", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?"); }},
      {"question.off_air",
       {{"question", 1}},
       [](World& w) {
         w.ask("Et la piscine ?");
         w.sendOk("question.on_air", {{"question", 1}});
       }},
      {"question.answered", {{"question", 1}}, [](World& w) { w.ask("Et la piscine ?"); }},
      {"questions.prescreen", {{"enabled", false}}, [](World&) {}},
      {"loudness.mode", {{"mode", "frozen"}}, [](World&) {}},
      {"account.link", {{"platform", "youtube"}}, [](World&) {}},
      {"account.unlink", {{"platform", "youtube"}}, [](World&) {}},
      {"lives.prepare",
       {{"platform", "youtube"}},
       [](World& w) {
         core::PlatformAccountStatus linked;
         linked.state = core::AccountState::linked;
         w.platforms.account(core::PlatformId::youtube, linked);
       }},
      {"lives.end", json::object(), [](World&) {}},
      {"platform.watch",
       {{"platform", "youtube"}, {"address", "https://youtu.be/dQw4w9WgXcQ"}},
       [](World& w) {
         core::PlatformAccountStatus linked;
         linked.state = core::AccountState::linked;
         w.platforms.account(core::PlatformId::youtube, linked);
       }},
  };
  return kRequests;
}

std::string readDoc(const std::string& name) {
  std::ifstream in(std::string(TRIBUNE_SOURCE_DIR) + "/docs/" + name);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

TEST_CASE("the table has exactly the documented commands, each with a valid example here", "[command]") {
  const std::vector<std::string_view> expected{"session.open",
                                               "session.suspend",
                                               "session.resume",
                                               "session.huis_clos",
                                               "session.leave_huis_clos",
                                               "session.close",
                                               "session.public_questions",
                                               "session.end",
                                               "agenda.next",
                                               "agenda.previous",
                                               "agenda.jump",
                                               "vote.record",
                                               "speaker.show",
                                               "speaker.hide",
                                               "overlay.show",
                                               "overlay.update",
                                               "overlay.hide",
                                               "broadcast.start",
                                               "broadcast.stop",
                                               "destination.retry",
                                               "destination.enable",
                                               "destination.add",
                                               "question.ask",
                                               "question.upvote",
                                               "question.approve",
                                               "question.edit",
                                               "question.reject",
                                               "question.restore",
                                               "question.delete",
                                               "question.written_reply",
                                               "question.move",
                                               "question.merge",
                                               "question.on_air",
                                               "question.off_air",
                                               "question.answered",
                                               "questions.prescreen",
                                               "loudness.mode",
                                               "account.link",
                                               "account.unlink",
                                               "lives.prepare",
                                               "lives.end",
                                               "platform.watch"};
  CHECK(core::commandTypes() == expected);
  REQUIRE(validRequests().size() == expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) CHECK(validRequests()[i].type == expected[i]);
  const auto protocol = readDoc("PROTOCOL.md") + readDoc("QUESTIONS.md");
  for (const auto type : expected) {
    INFO(type);
    CHECK(core::isCommandType(type));
    std::string quoted = "`";
    quoted += type;
    quoted += "`";
    CHECK(protocol.find(quoted) != std::string::npos);
  }
}

// Who may send what (docs/QUESTIONS.md, docs/PROTOCOL.md), written out here rather than
// read from the table, so that a role given by mistake fails.
std::vector<Role> expectedRoles(const std::string& type) {
  if (type == "question.ask" || type == "question.upvote") return {Role::Viewer};
  if (type == "question.on_air" || type == "question.off_air" || type == "question.answered") {
    return {Role::Mayor, Role::Moderator, Role::Technician};
  }
  if (type.rfind("question", 0) == 0) return {Role::Moderator, Role::Technician};
  return {Role::Technician};
}

std::string rolesInFrench(const std::vector<Role>& roles) {
  std::string out;
  for (std::size_t i = 0; i < roles.size(); ++i) {
    if (i > 0) out += i + 1 == roles.size() ? " ou " : ", ";
    out += core::frenchLabel(roles[i]);
  }
  return out;
}

TEST_CASE("every command with every role: the allowed roles are obeyed, the others are refused in French",
          "[command][roles]") {
  for (const auto& request : validRequests()) {
    for (const auto role : core::kAllRoles) {
      INFO(request.type << " as " << core::toString(role));
      World world;
      request.prepare(world);
      world.meeting.takeEvents();
      const auto before = world.meeting.snapshot();
      const auto result = world.send(request.type, request.params, role);
      const auto allowed = core::rolesAllowed(request.type);
      CHECK(allowed == expectedRoles(request.type));
      const bool mayDo = std::find(allowed.begin(), allowed.end(), role) != allowed.end();
      if (mayDo) {
        INFO(result.message);
        CHECK(result.ok());
        CHECK(result.code == 200);
        CHECK(result.status == "ok");
      } else {
        CHECK(result.code == 403);
        CHECK(result.status == "forbidden");
        CHECK(result.message == "La commande « " + request.type + " » est réservée au rôle " + rolesInFrench(allowed) +
                                    " (votre rôle : " + std::string(core::frenchLabel(role)) + ").");
        CHECK(world.meeting.takeEvents().empty());
        CHECK(world.meeting.snapshot() == before);
      }
    }
  }
}

TEST_CASE("an unknown command type is refused with 404, whoever asks", "[command]") {
  for (const auto role : core::kAllRoles) {
    World world;
    const auto result = world.send("session.reopen", json::object(), role);
    CHECK(result.code == 404);
    CHECK(result.status == "unknown_type");
    CHECK(result.message == "Commande inconnue « session.reopen » ; voir docs/PROTOCOL.md.");
  }
  World world;
  const auto longType = world.send(std::string(300, 'x'));
  CHECK(longType.status == "unknown_type");
  CHECK(longType.message.size() < 120);
}

TEST_CASE("invalid parameters are refused with 422 naming the parameter, for each command", "[command][params]") {
  struct Case {
    std::string type;
    json params;
    std::string param;
    std::string fragment;
  };
  const std::string tooLong(core::kMaxParamLength + 1, 'a');
  const std::vector<Case> cases{
      {"session.open",
       {{"force", true}},
       "force",
       "Paramètre inconnu « force » pour « session.open » : elle n'en prend aucun."},
      {"session.suspend", {{"reason", "pause"}}, "reason", "inconnu"},
      {"session.resume", {{"x", 1}}, "x", "inconnu"},
      {"session.huis_clos", {{"x", 1}}, "x", "inconnu"},
      {"session.leave_huis_clos", {{"x", 1}}, "x", "inconnu"},
      {"session.close", {{"x", 1}}, "x", "inconnu"},
      {"session.public_questions", {{"x", 1}}, "x", "inconnu"},
      {"session.end", {{"x", 1}}, "x", "inconnu"},
      {"agenda.next", {{"x", 1}}, "x", "inconnu"},
      {"agenda.previous", {{"x", 1}}, "x", "inconnu"},
      {"agenda.jump", json::object(), "number", "Paramètre « number » manquant."},
      {"agenda.jump", {{"number", 0}}, "number", "une chaîne de caractères ou un entier positif"},
      {"agenda.jump", {{"number", -3}}, "number", "un entier positif"},
      {"agenda.jump", {{"number", 2.5}}, "number", "un entier positif"},
      {"agenda.jump", {{"number", tooLong}}, "number", "trop long : 501 caractères, 500 au plus"},
      {"agenda.jump", {{"number", "2"}, {"numero", "2"}}, "numero", "paramètres possibles : number"},
      {"vote.record", {{"ballot", "secret"}, {"counts", {{"pour", 1}}}}, "item", "manquant"},
      {"vote.record", {{"item", "1"}, {"counts", {{"pour", 1}}}}, "ballot", "manquant"},
      {"vote.record", {{"item", "1"}, {"ballot", "main levée"}}, "ballot", "valeurs possibles : public, secret"},
      {"vote.record", {{"item", "1"}, {"ballot", "public"}}, "choices", "manquant"},
      {"vote.record", {{"item", "1"}, {"ballot", "secret"}}, "counts", "manquant"},
      {"vote.record",
       {{"item", "1"}, {"ballot", "public"}, {"choices", {{"cm-01", "pour"}}}, {"counts", {{"pour", 1}}}},
       "counts",
       "ne va pas avec un scrutin public"},
      {"vote.record",
       {{"item", "1"}, {"ballot", "secret"}, {"counts", {{"pour", 1}}}, {"choices", {{"cm-01", "pour"}}}},
       "choices",
       "ne va pas avec un scrutin secret"},
      {"vote.record",
       {{"item", "1"}, {"ballot", "public"}, {"choices", {{"cm-01", "oui"}}}},
       "choices.cm-01",
       "l'un des choix : pour, contre, abstention, npp"},
      {"vote.record", {{"item", "1"}, {"ballot", "public"}, {"choices", json::array()}}, "choices", "un objet"},
      {"vote.record",
       {{"item", "1"}, {"ballot", "secret"}, {"counts", {{"blancs", 1}}}},
       "counts.blancs",
       "Décompte inconnu « blancs »"},
      {"vote.record",
       {{"item", "1"}, {"ballot", "secret"}, {"counts", {{"pour", -1}}}},
       "counts.pour",
       "un entier entre 0 et"},
      {"vote.record", {{"item", "1"}, {"ballot", "secret"}, {"counts", {{"pour", "3"}}}}, "counts.pour", "un entier"},
      {"speaker.show", json::object(), "councillor", "manquant"},
      {"speaker.show", {{"councillor", 12}}, "councillor", "une chaîne de caractères"},
      {"speaker.hide", {{"councillor", "cm-01"}}, "councillor", "inconnu"},
      {"overlay.show", {{"template", "bug"}}, "layer", "manquant"},
      {"overlay.show", {{"layer", "bug"}}, "template", "manquant"},
      {"overlay.show", {{"layer", "ciel"}, {"template", "bug"}}, "layer", "bug, qr, lower_third, slate"},
      {"overlay.show",
       {{"layer", "qr"}, {"template", "qr"}, {"values", {{"url", 3}}}},
       "values.url",
       "une chaîne de caractères"},
      {"overlay.show",
       {{"layer", "qr"}, {"template", "qr"}, {"values", {{"url", tooLong}}}},
       "values.url",
       "trop long"},
      {"overlay.show", {{"layer", "qr"}, {"template", "qr"}, {"values", "x"}}, "values", "un objet"},
      {"overlay.update", {{"layer", "qr"}}, "values", "manquant"},
      {"overlay.update", {{"layer", true}, {"values", json::object()}}, "layer", "une chaîne de caractères"},
      {"overlay.hide", json::object(), "layer", "manquant"},
      {"broadcast.start", {{"now", true}}, "now", "inconnu"},
      {"broadcast.stop", {{"now", true}}, "now", "inconnu"},
      {"destination.retry", json::object(), "name", "manquant"},
      {"destination.retry", {{"name", json::array()}}, "name", "une chaîne de caractères"},
      {"destination.enable", {{"name", "youtube"}}, "enabled", "manquant"},
      {"destination.enable", {{"name", "youtube"}, {"enabled", "oui"}}, "enabled", "un booléen"},
      {"question.approve", json::object(), "question", "manquant"},
      {"question.approve", {{"question", 0}}, "question", "un entier positif"},
      {"question.approve", {{"question", "3"}}, "question", "un entier positif"},
      {"question.approve", {{"question", 1}, {"text", 3}}, "text", "une chaîne de caractères"},
      {"question.approve", {{"question", 1}, {"text", " \n\t "}}, "text", "Le texte de la question est vide."},
      {"question.edit", {{"question", 1}, {"text", std::string(501, 'x')}}, "text", "trop long : 501 caractères, 500"},
      {"question.edit", {{"question", 1}, {"text", std::string(20000, 'x')}}, "text", "beaucoup trop long"},
      {"question.move", {{"question", 1}, {"to", "bottom"}}, "to", "valeurs possibles : up, down, top"},
      {"question.merge", {{"question", 1}}, "into", "manquant"},
      {"question.on_air", {{"question", -1}}, "question", "un entier positif"},
      {"questions.prescreen", {{"enabled", 1}}, "enabled", "un booléen"},
      {"loudness.mode", {{"mode", "on"}}, "mode", "auto"},
  };
  for (const auto& c : cases) {
    INFO(c.type << " " << c.params.dump().substr(0, 120));
    World world;
    world.sendOk("session.open");
    world.meeting.takeEvents();
    const auto result = world.send(c.type, c.params);
    CHECK(result.code == 422);
    CHECK(result.status == "invalid_params");
    CHECK(result.data.at("param") == c.param);
    CHECK_THAT(result.message, Catch::Contains(c.fragment));
    CHECK(world.meeting.takeEvents().empty());
  }
}

TEST_CASE("parameters must be an object, and none at all is fine for commands without any", "[command][params]") {
  World world;
  const auto array = world.send("agenda.jump", json::array({"2"}));
  CHECK(array.status == "invalid_params");
  CHECK(array.message == "Les paramètres doivent former un objet JSON.");
  CHECK(world.send("session.open", nullptr).ok());
  const auto missing = world.send("agenda.jump", nullptr);
  CHECK(missing.status == "invalid_params");
  CHECK(missing.data.at("param") == "number");
}

TEST_CASE("string lengths count characters, not bytes", "[command][params]") {
  World world;
  std::string accented;
  for (std::size_t i = 0; i < core::kMaxParamLength; ++i) accented += "é";
  const auto result =
      world.send("overlay.show", {{"layer", "lower_third"},
                                  {"template", "agenda"},
                                  {"values", {{"number", "1"}, {"title", accented}, {"rapporteur", ""}}}});
  CHECK(result.ok());
  const auto longer = world.send(
      "overlay.show", {{"layer", "lower_third"}, {"template", "agenda"}, {"values", {{"title", accented + "é"}}}});
  CHECK(longer.status == "invalid_params");
}

TEST_CASE("a meeting's refusal comes back with its own status and French message", "[command]") {
  World world;
  const auto suspend = world.send("session.suspend");
  CHECK(suspend.code == 409);
  CHECK(suspend.status == "illegal_transition");
  CHECK(suspend.message == "Impossible de suspendre la séance : elle n'est pas ouverte (état actuel : Pré-séance).");
  world.sendOk("session.open");
  const auto jump = world.send("agenda.jump", {{"number", 99}});
  CHECK(jump.code == 410);
  CHECK(jump.status == "unknown_item");
  const auto vote = world.send("vote.record", {{"item", 1}, {"ballot", "public"}, {"choices", {{"cm-77", "pour"}}}});
  CHECK(vote.status == "unknown_councillor");
  const auto slate = world.send("overlay.show", {{"layer", "bug"}, {"template", "ended"}});
  CHECK(slate.status == "template_not_allowed");
}

TEST_CASE("successful commands say where the meeting is", "[command]") {
  World world;
  CHECK(world.send("session.open").data == json{{"state", "seance_ouverte"}});
  CHECK(world.send("agenda.jump", {{"number", 2}}).data == json{{"index", 1}, {"number", "2"}});
  CHECK(world.send("vote.record", {{"item", "2"}, {"ballot", "secret"}, {"counts", {{"pour", 4}}}}).data ==
        json{{"item", "2"}, {"result", "unanimite"}});
  CHECK(world.send("broadcast.start").data == json{{"running", true}});
}

TEST_CASE("destination commands answer with the broadcast's refusals in French", "[command][broadcast]") {
  World world;
  const auto unknown = world.send("destination.retry", {{"name", "twitch"}});
  CHECK(unknown.code == 415);
  CHECK(unknown.status == "unknown_destination");
  CHECK(unknown.message == "Aucune destination ne s'appelle « twitch » (destinations : youtube).");
  const auto stopped = world.send("destination.retry", {{"name", "youtube"}});
  CHECK(stopped.status == "not_running");
  CHECK(stopped.code == 423);
  world.sendOk("broadcast.start");
  world.sendOk("destination.enable", {{"name", "youtube"}, {"enabled", false}});
  CHECK_FALSE(world.broadcast.find("youtube")->settings.enabled);
  const auto disabled = world.send("destination.retry", {{"name", "youtube"}});
  CHECK(disabled.status == "destination_disabled");
  CHECK(disabled.code == 421);
  world.sendOk("destination.enable", {{"name", "youtube"}, {"enabled", true}});
  world.sendOk("destination.retry", {{"name", "youtube"}});
  world.sendOk("broadcast.stop");
  CHECK_FALSE(world.broadcast.running());
  CHECK(world.send("destination.enable", {{"name", "x"}, {"enabled", true}}).status == "unknown_destination");
}

TEST_CASE("roles have stable ids and French labels", "[command][roles]") {
  const std::vector<std::tuple<Role, std::string, std::string>> names{
      {Role::Viewer, "viewer", "spectateur"},
      {Role::Technician, "technician", "technicien"},
      {Role::Moderator, "moderator", "modérateur"},
      {Role::Mayor, "mayor", "maire"},
  };
  for (const auto& [role, id, label] : names) {
    CHECK(core::toString(role) == id);
    CHECK(core::roleFromString(id) == role);
    CHECK(core::frenchLabel(role) == label);
  }
  CHECK_FALSE(core::roleFromString("admin"));
  CHECK(core::rolesAllowed("nope").empty());
  CHECK(core::commandParams("vote.record") == std::vector<std::string_view>{"item", "ballot", "choices", "counts"});
}

TEST_CASE("status codes are unique, named, and all in the protocol's documentation", "[command][status]") {
  const auto& codes = core::allStatusCodes();
  CHECK(codes.size() == 34);
  const auto protocol = readDoc("PROTOCOL.md");
  std::vector<std::string> names;
  for (const auto code : codes) {
    const std::string name(core::toString(code));
    INFO(static_cast<int>(code) << " " << name);
    CHECK(name != "unknown");
    CHECK(std::find(names.begin(), names.end(), name) == names.end());
    names.push_back(name);
    std::string row = "| ";
    row += std::to_string(static_cast<int>(code));
    row += " | `" + name + "` |";
    CHECK(protocol.find(row) != std::string::npos);
  }
  CHECK(std::adjacent_find(codes.begin(), codes.end()) == codes.end());
  CHECK(static_cast<int>(StatusCode::Forbidden) == 403);
  CHECK(static_cast<int>(StatusCode::UnknownType) == 404);
  CHECK(static_cast<int>(StatusCode::InvalidParams) == 422);
}

TEST_CASE("destination.add adds a destination from a platform preset or a URL, for this run", "[dispatch]") {
  tribune::testing::ScriptedRandom random;
  tribune::core::Broadcast broadcast{tribune::core::RetrySettings{}, random};
  tribune::core::Meeting meeting("m", tribune::core::Agenda{}, tribune::testing::at(0));
  using tribune::core::Role;
  auto add = [&](nlohmann::json params) {
    return tribune::core::dispatch({"destination.add", std::move(params)}, Role::Technician, meeting, broadcast,
                                   tribune::testing::at(1));
  };
  CHECK(add({{"platform", "youtube"}, {"key", "abcd-efgh-ijkl"}}).ok());
  REQUIRE(broadcast.find("youtube") != nullptr);
  CHECK(broadcast.find("youtube")->settings.url.masked() == "rtmps://a.rtmps.youtube.com:443/live2/****");
  CHECK(add({{"name", "site"}, {"url", "rtmp://192.0.2.1/live/conseil"}}).ok());
  CHECK(broadcast.find("site") != nullptr);
  CHECK(add({{"platform", "youtube"}, {"key", "other"}}).status == "duplicate_destination");
  auto bad = add({{"name", "x"}, {"url", "http://example.invalid/live/SECRET-KEY"}});
  CHECK(bad.status == "invalid_params");
  CHECK(bad.message.find("SECRET-KEY") == std::string::npos);
  CHECK(add({{"key", "k"}}).status == "invalid_params");
  CHECK(tribune::core::dispatch({"destination.add", {{"platform", "youtube"}, {"key", "k"}}}, Role::Mayor, meeting,
                                broadcast, tribune::testing::at(1))
            .status == "forbidden");
}

TEST_CASE("loudness.mode freezes or switches off the automatic gain, recorded once", "[dispatch]") {
  World world;
  CHECK_FALSE(world.meeting.loudnessMode());
  auto result = world.send("loudness.mode", {{"mode", "frozen"}}, Role::Technician);
  REQUIRE(result.ok());
  CHECK(result.data["mode"] == "frozen");
  auto events = world.meeting.takeEvents();
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == "loudness_mode");
  CHECK(events[0].data == nlohmann::json{{"mode", "frozen"}});
  CHECK(world.meeting.loudnessMode() == tribune::core::LoudnessMode::Frozen);
  CHECK(world.meeting.snapshot()["loudness"]["mode"] == "frozen");
  // The same again changes nothing and records nothing.
  REQUIRE(world.send("loudness.mode", {{"mode", "frozen"}}, Role::Technician).ok());
  CHECK(world.meeting.takeEvents().empty());
  // A replayed event sets it the same way; a wrong one is refused and changes nothing.
  CHECK(world.meeting.apply({"loudness_mode", {{"mode", "off"}}, {}}).ok());
  CHECK(world.meeting.loudnessMode() == tribune::core::LoudnessMode::Off);
  CHECK_FALSE(world.meeting.apply({"loudness_mode", {{"mode", "loud"}}, {}}).ok());
  CHECK(world.meeting.loudnessMode() == tribune::core::LoudnessMode::Off);
}
