#include "core/vote.h"

#include <algorithm>
#include <limits>
#include <utility>

namespace tribune::core {

namespace {

template <class Enum>
struct Name {
  Enum value;
  std::string_view id;
};

constexpr std::array<Name<Choice>, 4> kChoices{{
    {Choice::Pour, "pour"},
    {Choice::Contre, "contre"},
    {Choice::Abstention, "abstention"},
    {Choice::NePrendPasPart, "npp"},
}};
constexpr std::array<Name<Ballot>, 2> kBallots{{{Ballot::Public, "public"}, {Ballot::Secret, "secret"}}};
constexpr std::array<Name<VoteResult>, 3> kResults{{
    {VoteResult::Unanimite, "unanimite"},
    {VoteResult::Adopte, "adopte"},
    {VoteResult::Rejete, "rejete"},
}};

template <class Enum, std::size_t N>
std::string_view idOf(const std::array<Name<Enum>, N>& names, Enum value) {
  const auto found =
      std::find_if(names.begin(), names.end(), [value](const Name<Enum>& name) { return name.value == value; });
  return found == names.end() ? "unknown" : found->id;
}

template <class Enum, std::size_t N>
std::optional<Enum> valueOf(const std::array<Name<Enum>, N>& names, std::string_view id) {
  const auto found = std::find_if(names.begin(), names.end(), [id](const Name<Enum>& name) { return name.id == id; });
  if (found == names.end()) return std::nullopt;
  return found->value;
}

std::optional<std::uint32_t> count(const nlohmann::json& value, const char* key) {
  const auto found = value.find(key);
  if (found == value.end() || !found->is_number_integer()) return std::nullopt;
  if (found->is_number_unsigned()) {
    const auto number = found->get<std::uint64_t>();
    if (number > std::numeric_limits<std::uint32_t>::max()) return std::nullopt;
    return static_cast<std::uint32_t>(number);
  }
  const auto number = found->get<std::int64_t>();
  if (number < 0 || number > std::int64_t{std::numeric_limits<std::uint32_t>::max()}) return std::nullopt;
  return static_cast<std::uint32_t>(number);
}

}  // namespace

std::string_view toString(Choice choice) { return idOf(kChoices, choice); }
std::optional<Choice> choiceFromString(std::string_view name) { return valueOf(kChoices, name); }
std::string_view toString(Ballot ballot) { return idOf(kBallots, ballot); }
std::optional<Ballot> ballotFromString(std::string_view name) { return valueOf(kBallots, name); }
std::string_view toString(VoteResult result) { return idOf(kResults, result); }
std::optional<VoteResult> voteResultFromString(std::string_view name) { return valueOf(kResults, name); }

std::string_view frenchLabel(VoteResult result) {
  switch (result) {
    case VoteResult::Unanimite: return "Adopté à l'unanimité";
    case VoteResult::Adopte: return "Adopté";
    case VoteResult::Rejete: return "Rejeté";
  }
  return "Rejeté";
}

VoteResult resultOf(const VoteCounts& counts) {
  if (counts.pour > 0 && counts.contre == 0 && counts.abstention == 0) return VoteResult::Unanimite;
  if (counts.pour > counts.contre) return VoteResult::Adopte;
  return VoteResult::Rejete;
}

VoteCounts countsOf(const Choices& choices) {
  VoteCounts counts;
  for (const auto& [councillor, choice] : choices) {
    switch (choice) {
      case Choice::Pour: ++counts.pour; break;
      case Choice::Contre: ++counts.contre; break;
      case Choice::Abstention: ++counts.abstention; break;
      case Choice::NePrendPasPart: ++counts.npp; break;
    }
  }
  return counts;
}

Vote Vote::publicBallot(std::string item, Choices choices) {
  Vote vote;
  vote.item = std::move(item);
  vote.ballot = Ballot::Public;
  vote.counts = countsOf(choices);
  vote.choices = std::move(choices);
  vote.result = resultOf(vote.counts);
  return vote;
}

Vote Vote::secretBallot(std::string item, VoteCounts counts) {
  Vote vote;
  vote.item = std::move(item);
  vote.ballot = Ballot::Secret;
  vote.counts = counts;
  vote.result = resultOf(counts);
  return vote;
}

nlohmann::json toJson(const Vote& vote) {
  nlohmann::json out{
      {"item", vote.item},
      {"ballot", std::string(toString(vote.ballot))},
      {"counts",
       {{"pour", vote.counts.pour},
        {"contre", vote.counts.contre},
        {"abstention", vote.counts.abstention},
        {"npp", vote.counts.npp}}},
      {"result", std::string(toString(vote.result))},
      {"huis_clos", vote.huisClos},
  };
  if (vote.ballot == Ballot::Public) {
    auto& choices = out["choices"] = nlohmann::json::object();
    for (const auto& [councillor, choice] : vote.choices) choices[councillor] = std::string(toString(choice));
  }
  return out;
}

VoteFromJson voteFromJson(const nlohmann::json& value) {
  const auto fail = [](std::string error) { return VoteFromJson{std::nullopt, std::move(error)}; };
  if (!value.is_object()) return fail("vote: expected an object");
  Vote vote;
  const auto item = value.find("item");
  if (item == value.end() || !item->is_string()) return fail("vote.item: expected a string");
  vote.item = item->get<std::string>();
  const auto ballot = value.find("ballot");
  const auto ballotKind = ballot != value.end() && ballot->is_string()
                              ? ballotFromString(ballot->get_ref<const std::string&>())
                              : std::nullopt;
  if (!ballotKind) return fail("vote.ballot: expected \"public\" or \"secret\"");
  vote.ballot = *ballotKind;
  const auto counts = value.find("counts");
  if (counts == value.end() || !counts->is_object()) return fail("vote.counts: expected an object");
  const auto pour = count(*counts, "pour");
  const auto contre = count(*counts, "contre");
  const auto abstention = count(*counts, "abstention");
  const auto npp = count(*counts, "npp");
  if (!pour || !contre || !abstention || !npp) return fail("vote.counts: expected four counts");
  vote.counts = {*pour, *contre, *abstention, *npp};
  if (vote.ballot == Ballot::Public) {
    const auto choices = value.find("choices");
    if (choices == value.end() || !choices->is_object()) return fail("vote.choices: expected an object");
    for (const auto& [councillor, choice] : choices->items()) {
      const auto known = choice.is_string() ? choiceFromString(choice.get_ref<const std::string&>()) : std::nullopt;
      if (!known) return fail("vote.choices." + councillor + ": expected pour, contre, abstention or npp");
      vote.choices.emplace(councillor, *known);
    }
    if (countsOf(vote.choices) != vote.counts) return fail("vote.counts: do not match the choices");
  }
  // The result is the one decided when the vote was recorded, not recomputed: a record of
  // the past does not change with the rule.
  const auto result = value.find("result");
  const auto decided = result != value.end() && result->is_string()
                           ? voteResultFromString(result->get_ref<const std::string&>())
                           : std::nullopt;
  if (!decided) return fail("vote.result: expected unanimite, adopte or rejete");
  vote.result = *decided;
  const auto huisClos = value.find("huis_clos");
  if (huisClos != value.end()) {
    if (!huisClos->is_boolean()) return fail("vote.huis_clos: expected a boolean");
    vote.huisClos = huisClos->get<bool>();
  }
  return {std::move(vote), {}};
}

}  // namespace tribune::core
