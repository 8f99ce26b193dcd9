#pragma once
// A vote on a délibération. A public ballot records the choice of each councillor, because
// it is published with the names (DESIGN.md §2); a secret ballot records counts only. The
// result follows one rule, written in resultOf().
#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace tribune::core {

enum class Choice { Pour, Contre, Abstention, NePrendPasPart };
inline constexpr std::array<Choice, 4> kAllChoices{Choice::Pour, Choice::Contre, Choice::Abstention,
                                                   Choice::NePrendPasPart};
// "pour", "contre", "abstention", "npp" (ne prend pas part).
std::string_view toString(Choice choice);
std::optional<Choice> choiceFromString(std::string_view name);

enum class Ballot { Public, Secret };
std::string_view toString(Ballot ballot);  // "public", "secret"
std::optional<Ballot> ballotFromString(std::string_view name);

struct VoteCounts {
  std::uint32_t pour = 0;
  std::uint32_t contre = 0;
  std::uint32_t abstention = 0;
  std::uint32_t npp = 0;
  [[nodiscard]] std::uint64_t total() const {
    return std::uint64_t{pour} + std::uint64_t{contre} + std::uint64_t{abstention} + std::uint64_t{npp};
  }
  friend bool operator==(const VoteCounts&, const VoteCounts&) = default;
};

enum class VoteResult { Unanimite, Adopte, Rejete };
std::string_view toString(VoteResult result);  // "unanimite", "adopte", "rejete"
std::optional<VoteResult> voteResultFromString(std::string_view name);
std::string_view frenchLabel(VoteResult result);  // "Adopté à l'unanimité", "Adopté", "Rejeté"

// The rule: adopted unanimously when there is at least one "pour" and neither "contre" nor
// abstention; adopted when "pour" outnumbers "contre"; rejected otherwise, a tie included.
// Abstentions and "ne prend pas part" are not votes cast (suffrages exprimés): they never
// make a majority, but an abstention does break unanimity. The president's casting vote in
// a tie (CGCT L2121-20, public ballots) is not applied: the record holds the votes only.
VoteResult resultOf(const VoteCounts& counts);

using Choices = std::map<std::string, Choice>;  // councillor id -> choice
VoteCounts countsOf(const Choices& choices);

struct Vote {
  std::string item;  // the agenda item's number
  Ballot ballot = Ballot::Public;
  Choices choices;    // public ballot only
  VoteCounts counts;  // for a public ballot, countsOf(choices)
  VoteResult result = VoteResult::Rejete;
  bool huisClos = false;  // recorded in closed session: never shown on air
  friend bool operator==(const Vote&, const Vote&) = default;

  static Vote publicBallot(std::string item, Choices choices);
  static Vote secretBallot(std::string item, VoteCounts counts);
};

// {"item", "ballot", "choices" (public) | "counts" (secret, also given for public), "result",
//  "huis_clos"}: the data of a vote_recorded event and the snapshot's votes.
nlohmann::json toJson(const Vote& vote);
struct VoteFromJson {
  std::optional<Vote> vote;
  std::string error;
};
VoteFromJson voteFromJson(const nlohmann::json& value);

}  // namespace tribune::core
