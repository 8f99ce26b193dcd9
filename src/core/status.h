#pragma once
// Every way a message or a command can end, with its stable number and name: the one list
// the protocol's clients switch on (docs/PROTOCOL.md, "Results and error codes"). The
// numbers are HTTP-flavoured so that the REST mirror can reuse them, and unique so that a
// number alone says what happened; never renumber one, only add.
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace tribune::core {

enum class StatusCode {
  Ok = 200,
  // The message itself (core/protocol.h).
  MalformedJson = 400,
  InvalidToken = 401,  // hello with a token the server does not know (web layer)
  NotAnObject = 406,
  MissingType = 407,
  InvalidId = 408,
  TooLarge = 413,
  HelloRequired = 428,  // a command before hello (web layer)
  // The command (core/command_table.h).
  Forbidden = 403,
  UnknownType = 404,
  InvalidParams = 422,
  // The meeting's rules (core/meeting.h).
  IllegalTransition = 409,
  UnknownItem = 410,
  UnknownCouncillor = 411,
  WrongState = 412,
  UnknownLayer = 414,
  EndOfAgenda = 416,
  NotADeliberation = 417,
  NotTheCurrentItem = 418,
  TemplateNotAllowed = 419,
  NothingShown = 420,
  InvalidVote = 424,
  // The broadcast (core/broadcast.h).
  UnknownDestination = 415,
  DuplicateDestination = 425,
  DestinationDisabled = 421,
  NotRunning = 423,
  // The viewers' questions (core/questions.h, docs/QUESTIONS.md).
  QuestionsClosed = 426,  // switched off in the configuration, or the meeting is over
  RateLimited = 429,      // data.retry_after_s says when to try again
  UnknownQuestion = 430,
  AlreadyVoted = 431,
  QuestionStatus = 432,  // not possible in the question's current status
  // The platforms' accounts and lives (core/platform_board.h, docs/PLATFORMS.md).
  PlatformRefused = 433,  // not configured, not linked: the message says what to do
  // A public edge (issue 22, docs/EDGE.md) could not keep a question: its bus is unreachable.
  Unavailable = 434,
  // A bug: an exception where none was expected, turned into a result at one place.
  InternalError = 500,
};

// "ok", "malformed_json", "illegal_transition"…: the stable name of each code.
std::string_view toString(StatusCode code);
// Every code, in numeric order (for the documentation's test).
const std::vector<StatusCode>& allStatusCodes();

// What a meeting command answers: a stable code and, when refused, a French sentence that
// says why and, where it helps, what to do instead.
struct MeetingResult {
  StatusCode status = StatusCode::Ok;
  std::string code = "ok";  // toString(status)
  std::string message;      // French; empty when Ok

  static MeetingResult success() { return {}; }
  static MeetingResult refusal(StatusCode status, std::string message) {
    return {status, std::string(toString(status)), std::move(message)};
  }
  [[nodiscard]] bool ok() const { return status == StatusCode::Ok; }
};

}  // namespace tribune::core
