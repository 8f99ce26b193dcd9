#include "app/agenda_loader.h"

#include <ctime>
#include <fstream>
#include <sstream>

namespace tribune::app {
namespace {

std::string describe(const std::string& file, const std::vector<core::AgendaProblem>& problems) {
  std::string text = file + ": " + std::to_string(problems.size()) + " problème(s)";
  for (const auto& p : problems) text += "\n  " + p.where + ": " + p.message;
  return text;
}

std::string today() {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[16];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%d", &local);
  return buffer;
}

}  // namespace

AgendaError::AgendaError(std::string file, std::vector<core::AgendaProblem> problems)
    : std::runtime_error(describe(file, problems)), file_(std::move(file)), problems_(std::move(problems)) {}

core::Agenda loadAgenda(const std::filesystem::path& file, const std::string& commune) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw AgendaError(file.string(), {{"$", "impossible de lire le fichier (existe-t-il ?)"}});
  std::ostringstream text;
  text << in.rdbuf();
  const bool plainText = file.extension() == ".txt";
  auto result =
      plainText ? core::parseAgendaText(
                      text.str(), core::MeetingInfo{commune, std::string(core::kDefaultMeetingTitle), today(), "", ""})
                : core::parseAgendaJson(text.str());
  if (!result.ok()) throw AgendaError(file.string(), std::move(result.problems));
  return std::move(result.agenda);
}

}  // namespace tribune::app
