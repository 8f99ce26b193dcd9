#pragma once
// Reads an agenda file (.json or .txt, docs/AGENDA.md) for the core's parsers.
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/agenda.h"

namespace tribune::app {

class AgendaError : public std::runtime_error {
 public:
  AgendaError(std::string file, std::vector<core::AgendaProblem> problems);
  [[nodiscard]] const std::string& file() const { return file_; }
  [[nodiscard]] const std::vector<core::AgendaProblem>& problems() const { return problems_; }

 private:
  std::string file_;
  std::vector<core::AgendaProblem> problems_;
};

// A .txt agenda takes its meeting (commune, date: today) from `commune`. Throws AgendaError.
core::Agenda loadAgenda(const std::filesystem::path& file, const std::string& commune);

}  // namespace tribune::app
