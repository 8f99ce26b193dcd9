#pragma once
// Who an account is, from the platforms' answers once linked (issue 20): the YouTube
// channel, the Facebook Page (and its token), the PeerTube account, its channel and the
// instance's OAuth client. Pure parsers of untrusted text: a missing or wrongly typed
// field is an error naming it, never an exception.
#include <optional>
#include <string>
#include <string_view>

#include "core/secret.h"

namespace tribune::core {

struct AccountIdentity {
  std::string id;    // channel id, Page id, PeerTube channel id
  std::string name;  // channel title, Page name, "user (channel)"
  Secret token;      // Facebook: the Page's access token; empty elsewhere
};
struct IdentityAnswer {
  std::optional<AccountIdentity> identity;
  std::string error;  // when identity is empty: French, naming what is wrong
};

// channels.list?part=snippet&mine=true: items[0].id, items[0].snippet.title.
IdentityAnswer parseYouTubeChannel(std::string_view body);
// me/accounts?fields=id,name,access_token: the Page `pageId`, or the only Page when pageId
// is empty (several Pages and none chosen is an error listing them).
IdentityAnswer parseFacebookPages(std::string_view body, std::string_view pageId);
// users/me: the account's name and its channel named `channel` (or the first one).
IdentityAnswer parsePeerTubeMe(std::string_view body, std::string_view channel);

struct OAuthClient {
  std::string id;
  Secret secret;
};
// oauth-clients/local: {"client_id", "client_secret"}.
std::optional<OAuthClient> parsePeerTubeClient(std::string_view body);

}  // namespace tribune::core
