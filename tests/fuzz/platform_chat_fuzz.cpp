// libFuzzer for the platforms' chat (core/platform_chat.h). Every answer is untrusted text:
// whatever it holds, a parser gives a page or an error naming what is wrong, never both,
// never an exception; the messages it keeps have an id and a text that are valid UTF-8; the
// stream gives the same pages however the bytes are cut; the ids taken from an address
// are made of their alphabet only.
#include "platform_chat_fuzz.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/platform_chat.h"

namespace tribune::fuzz {
namespace {

using core::ChatPage;
using core::ChatParse;
using core::PlatformId;

void require(bool condition) {
  if (!condition) std::abort();
}

bool wellFormed(const std::string& text) {
  try {
    (void)nlohmann::json(text).dump();
    return true;
  } catch (const nlohmann::json::exception&) {
    return false;
  }
}

bool only(const std::string& text, bool (*allowed)(char)) { return std::all_of(text.begin(), text.end(), allowed); }
bool isDigit(char c) { return c >= '0' && c <= '9'; }
bool isLetterOrDigit(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c); }
bool isPathSafe(char c) { return isLetterOrDigit(c) || c == '-' || c == '_'; }
bool isPeerTubeIdCharacter(char c) { return isLetterOrDigit(c) || c == '-'; }

// The answer, and what was asked for after a NUL (an owner's id). It comes from the
// configuration, which the JSON parser has read as UTF-8: a choice that is not is none.
std::pair<std::string_view, std::string_view> answerAndChoice(std::string_view body) {
  const auto nul = body.find('\0');
  if (nul == std::string_view::npos) return {body, {}};
  const auto choice = body.substr(nul + 1);
  return {body.substr(0, nul), wellFormed(std::string(choice)) ? choice : std::string_view()};
}

void checkPage(const ChatPage& page, PlatformId platform) {
  for (const auto& message : page.messages) {
    require(message.platform == platform);
    require(!message.id.empty() && wellFormed(message.id));
    require(!message.text.empty() && wellFormed(message.text));
    require(wellFormed(message.authorName) && wellFormed(message.authorId));
    if (platform != PlatformId::youtube) require(only(message.id, isPathSafe));
    if (platform == PlatformId::facebook) require(only(message.authorId, isPathSafe));
    if (platform == PlatformId::peertube) require(message.authorId.find('@') != std::string::npos);
  }
  for (const auto& id : page.deletedIds) require(!id.empty() && wellFormed(id));
  require(wellFormed(page.nextPageToken));
  require(!page.pollingInterval || page.pollingInterval->count() >= 0);
  require(platform == PlatformId::peertube ? page.total >= 0 : page.total == -1);
  require(platform == PlatformId::youtube || (page.deletedIds.empty() && !page.ended && !page.pollingInterval));
}

void checkParse(const ChatParse& parsed, PlatformId platform) {
  require(parsed.page.has_value() == parsed.error.empty());
  require(wellFormed(parsed.error));
  if (parsed.page) checkPage(*parsed.page, platform);
}

// What a stream gave, to compare two readings of the same bytes.
std::vector<std::string> streamed(const std::vector<ChatPage>& pages) {
  std::vector<std::string> seen;
  for (const auto& page : pages) {
    seen.push_back("page " + page.nextPageToken + (page.ended ? " ended" : ""));
    for (const auto& message : page.messages) seen.push_back(message.id + "\n" + message.text);
    for (const auto& id : page.deletedIds) seen.push_back("deleted " + id);
  }
  return seen;
}

// The first byte says where to cut the rest in two. Read whole, or as two chunks the way
// the adapter feeds them (the first chunk's rest before the second), the bytes give the
// same pages, the same error and the same rest.
void fuzzStream(std::string_view input) {
  if (input.empty()) return;
  const auto bytes = input.substr(1);
  const std::size_t cut = static_cast<unsigned char>(input.front()) * (bytes.size() + 1) / 256;
  const auto whole = core::parseYouTubeChatStream(bytes, "UCowner");
  for (const auto& page : whole.pages) checkPage(page, PlatformId::youtube);
  require(wellFormed(whole.error));
  require(whole.error.empty() || whole.rest.empty());
  require(whole.rest.empty() || whole.rest.front() == '{');

  const auto first = core::parseYouTubeChatStream(bytes.substr(0, cut), "UCowner");
  auto pages = first.pages;
  std::string error = first.error;
  std::string rest;
  if (error.empty()) {
    const auto second = core::parseYouTubeChatStream(first.rest + std::string(bytes.substr(cut)), "UCowner");
    pages.insert(pages.end(), second.pages.begin(), second.pages.end());
    error = second.error;
    rest = second.rest;
  }
  require(streamed(pages) == streamed(whole.pages));
  require(error == whole.error);
  require(rest == whole.rest);
}

// No blank line twice in a row, nothing blank at either end, valid UTF-8.
void checkText(const std::string& text) {
  require(wellFormed(text));
  require(text.find("\n\n\n") == std::string::npos);
  require(text.empty() || (text.front() != '\n' && text.front() != ' ' && text.back() != '\n' && text.back() != ' '));
}

std::string twoDigits(unsigned value) {
  return {static_cast<char>('0' + value / 10 % 10), static_cast<char>('0' + value % 10)};
}

// A time that parses reads back the same once written in UTC with nanoseconds.
void checkTime(std::string_view text) {
  using namespace std::chrono;
  const auto parsed = core::parseChatTime(text);
  if (!parsed) return;
  require(text.size() >= 20 && text.size() <= 35 && text[10] == 'T');
  const auto day = floor<days>(*parsed);
  const year_month_day date{day};
  const hh_mm_ss clock{*parsed - day};
  const int year = static_cast<int>(date.year());
  if (year < 1000 || year > 9999) return;  // an offset took it out of four digits
  char fraction[16];
  std::snprintf(fraction, sizeof fraction, ".%09lld",
                static_cast<long long>(duration_cast<nanoseconds>(clock.subseconds()).count()));
  const std::string utc = std::to_string(year) + "-" + twoDigits(static_cast<unsigned>(date.month())) + "-" +
                          twoDigits(static_cast<unsigned>(date.day())) + "T" +
                          twoDigits(static_cast<unsigned>(clock.hours().count())) + ":" +
                          twoDigits(static_cast<unsigned>(clock.minutes().count())) + ":" +
                          twoDigits(static_cast<unsigned>(clock.seconds().count())) + fraction + "Z";
  require(core::parseChatTime(utc) == parsed);
}

void checkAddress(std::string_view pasted) {
  for (const auto platform : core::kPlatformIds) {
    const auto id = core::liveIdFromAddress(platform, pasted);
    if (!id) continue;
    switch (platform) {
      case PlatformId::youtube: require(id->size() == 11 && only(*id, isPathSafe)); break;
      case PlatformId::facebook: require(!id->empty() && only(*id, isDigit)); break;
      case PlatformId::peertube: require(!id->empty() && only(*id, isPeerTubeIdCharacter)); break;
    }
    // An id pasted alone is that id.
    require(core::liveIdFromAddress(platform, *id) == id);
  }
}

}  // namespace

bool isPlatformChatInput(std::string_view input) {
  if (input.empty()) return false;
  const auto first = static_cast<std::uint8_t>(input.front());
  return first >= static_cast<std::uint8_t>(PlatformChatTarget::youTubeChatPage) &&
         first <= static_cast<std::uint8_t>(PlatformChatTarget::youTubeReply);
}

void fuzzPlatformChat(std::string_view input) {
  const auto target = static_cast<PlatformChatTarget>(input.front());
  const auto body = input.substr(1);
  switch (target) {
    case PlatformChatTarget::youTubeChatPage: {
      const auto [answer, owner] = answerAndChoice(body);
      checkParse(core::parseYouTubeChatPage(answer, owner), PlatformId::youtube);
      break;
    }
    case PlatformChatTarget::youTubeChatStream: fuzzStream(body); break;
    case PlatformChatTarget::facebookComments: {
      const auto [answer, page] = answerAndChoice(body);
      const auto parsed = core::parseFacebookComments(answer, page);
      checkParse(parsed, PlatformId::facebook);
      if (parsed.page) {
        for (const auto& message : parsed.page->messages) {
          require(!message.fromOwner || (!page.empty() && message.authorId == page));
        }
      }
      break;
    }
    case PlatformChatTarget::peerTubeComments: {
      const auto [answer, owner] = answerAndChoice(body);
      const auto parsed = core::parsePeerTubeComments(answer, owner);
      checkParse(parsed, PlatformId::peertube);
      if (parsed.page) {
        for (const auto& message : parsed.page->messages) checkText(message.text);
      }
      break;
    }
    case PlatformChatTarget::htmlToText: checkText(core::htmlToText(body)); break;
    case PlatformChatTarget::chatTime: checkTime(body); break;
    case PlatformChatTarget::liveAddress: checkAddress(body); break;
    case PlatformChatTarget::youTubeActiveChat: {
      const auto chat = core::parseYouTubeActiveChat(body);
      require(!chat || (!chat->empty() &&
                        std::all_of(chat->begin(), chat->end(), [](char c) { return c > ' ' && c < '\x7F'; })));
      break;
    }
    case PlatformChatTarget::youTubeReply: {
      const auto nul = body.find('\0');
      const auto text = body.substr(0, nul);
      const auto chat = nul == std::string_view::npos ? std::string_view() : body.substr(nul + 1);
      const auto reply = nlohmann::json::parse(core::youTubeChatReplyBody(chat, text), nullptr, false);
      require(reply.is_object());
      // Valid UTF-8 goes through unchanged.
      if (wellFormed(std::string(text)))
        require(reply["snippet"]["textMessageDetails"]["messageText"] == std::string(text));
      break;
    }
  }
}

}  // namespace tribune::fuzz
