#include "core/status.h"

#include <algorithm>
#include <array>

namespace tribune::core {

namespace {

struct StatusName {
  StatusCode code;
  std::string_view name;
};

constexpr std::array<StatusName, 34> kStatusNames{{
    {StatusCode::Ok, "ok"},
    {StatusCode::MalformedJson, "malformed_json"},
    {StatusCode::InvalidToken, "invalid_token"},
    {StatusCode::NotAnObject, "not_an_object"},
    {StatusCode::MissingType, "missing_type"},
    {StatusCode::InvalidId, "invalid_id"},
    {StatusCode::TooLarge, "too_large"},
    {StatusCode::HelloRequired, "hello_required"},
    {StatusCode::Forbidden, "forbidden"},
    {StatusCode::UnknownType, "unknown_type"},
    {StatusCode::InvalidParams, "invalid_params"},
    {StatusCode::IllegalTransition, "illegal_transition"},
    {StatusCode::UnknownItem, "unknown_item"},
    {StatusCode::UnknownCouncillor, "unknown_councillor"},
    {StatusCode::WrongState, "wrong_state"},
    {StatusCode::UnknownLayer, "unknown_layer"},
    {StatusCode::EndOfAgenda, "end_of_agenda"},
    {StatusCode::NotADeliberation, "not_a_deliberation"},
    {StatusCode::NotTheCurrentItem, "not_the_current_item"},
    {StatusCode::TemplateNotAllowed, "template_not_allowed"},
    {StatusCode::NothingShown, "nothing_shown"},
    {StatusCode::InvalidVote, "invalid_vote"},
    {StatusCode::UnknownDestination, "unknown_destination"},
    {StatusCode::DestinationDisabled, "destination_disabled"},
    {StatusCode::NotRunning, "not_running"},
    {StatusCode::DuplicateDestination, "duplicate_destination"},
    {StatusCode::QuestionsClosed, "questions_closed"},
    {StatusCode::RateLimited, "rate_limited"},
    {StatusCode::UnknownQuestion, "unknown_question"},
    {StatusCode::AlreadyVoted, "already_voted"},
    {StatusCode::QuestionStatus, "question_status"},
    {StatusCode::PlatformRefused, "platform_refused"},
    {StatusCode::Unavailable, "unavailable"},
    {StatusCode::InternalError, "internal_error"},
}};

}  // namespace

std::string_view toString(StatusCode code) {
  const auto found = std::find_if(kStatusNames.begin(), kStatusNames.end(),
                                  [code](const StatusName& entry) { return entry.code == code; });
  return found == kStatusNames.end() ? "unknown" : found->name;
}

const std::vector<StatusCode>& allStatusCodes() {
  static const std::vector<StatusCode> kCodes = [] {
    std::vector<StatusCode> codes;
    codes.reserve(kStatusNames.size());
    for (const auto& entry : kStatusNames) codes.push_back(entry.code);
    std::sort(codes.begin(), codes.end());
    return codes;
  }();
  return kCodes;
}

}  // namespace tribune::core
