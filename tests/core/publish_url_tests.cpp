#include <catch2/catch.hpp>

#include <string>

#include "core/publish_url.h"

using namespace tribune::core;

namespace {

// Parses and expects an error; returns its message.
std::string errorOf(std::string_view url, const std::optional<Secret>& key = std::nullopt) {
  const auto result = parsePublishUrl(url, key);
  CHECK_FALSE(result.url.has_value());
  REQUIRE(result.error.has_value());
  return result.error->message;
}

PublishUrl parsed(std::string_view url, const std::optional<Secret>& key = std::nullopt) {
  const auto result = parsePublishUrl(url, key);
  if (result.error) FAIL("unexpected error: " << result.error->message);
  REQUIRE(result.url.has_value());
  return *result.url;
}

}  // namespace

TEST_CASE("an rtmp URL splits into host, default port 1935, app and key", "[publish_url]") {
  const auto url = parsed("rtmp://ingest.example.org/live/abc123");
  CHECK_FALSE(url.tls);
  CHECK(url.host == "ingest.example.org");
  CHECK(url.port == 1935);
  CHECK(url.app == "live");
  CHECK(url.key.reveal() == "abc123");
  CHECK(url.full() == "rtmp://ingest.example.org:1935/live/abc123");
}

TEST_CASE("an rtmps URL defaults to port 443", "[publish_url]") {
  const auto url = parsed("rtmps://a.rtmps.youtube.com/live2/xxxx-yyyy");
  CHECK(url.tls);
  CHECK(url.port == 443);
  CHECK(url.full() == "rtmps://a.rtmps.youtube.com:443/live2/xxxx-yyyy");
}

TEST_CASE("an explicit port is kept", "[publish_url]") {
  CHECK(parsed("rtmps://live.example.org:1936/live/k").port == 1936);
  CHECK(parsed("rtmp://127.0.0.1:65535/live/k").port == 65535);
  CHECK(parsed("rtmp://127.0.0.1:1/live/k").port == 1);
}

TEST_CASE("the app may have several segments and the key is the last one", "[publish_url]") {
  const auto url = parsed("rtmp://peertube.example.org:1935/live/commune/room/key42");
  CHECK(url.app == "live/commune/room");
  CHECK(url.key.reveal() == "key42");
}

TEST_CASE("a query string stays with the key", "[publish_url]") {
  const auto url = parsed("rtmps://live-api-s.facebook.com:443/rtmp/FB-1-0-Ab?s_bl=1&s_sc=2/x");
  CHECK(url.app == "rtmp");
  CHECK(url.key.reveal() == "FB-1-0-Ab?s_bl=1&s_sc=2/x");
  CHECK(url.masked() == "rtmps://live-api-s.facebook.com:443/rtmp/****");
}

TEST_CASE("the scheme is case-insensitive and surrounding blanks from a paste are ignored", "[publish_url]") {
  const auto url = parsed("  RTMPS://host.example/live/k\n");
  CHECK(url.tls);
  CHECK(url.host == "host.example");
}

TEST_CASE("an IPv6 host is written back in brackets", "[publish_url]") {
  const auto url = parsed("rtmp://[::1]:1935/live/k");
  CHECK(url.host == "::1");
  CHECK(url.full() == "rtmp://[::1]:1935/live/k");
}

TEST_CASE("a separate key is appended and the whole path is the app", "[publish_url]") {
  const auto url = parsed("rtmps://a.rtmps.youtube.com:443/live2", Secret("abcd-efgh"));
  CHECK(url.app == "live2");
  CHECK(url.key.reveal() == "abcd-efgh");
  CHECK(url.full() == "rtmps://a.rtmps.youtube.com:443/live2/abcd-efgh");

  const auto nested = parsed("rtmp://host/live/room", Secret("k"));
  CHECK(nested.app == "live/room");
}

TEST_CASE("a separate key accepts the trailing slash platforms show", "[publish_url]") {
  const auto url = parsed("rtmps://live-api-s.facebook.com:443/rtmp/", Secret("FB-1?s=2"));
  CHECK(url.app == "rtmp");
  CHECK(url.full() == "rtmps://live-api-s.facebook.com:443/rtmp/FB-1?s=2");
}

TEST_CASE("masked replaces the key with stars", "[publish_url]") {
  const auto url = parsed("rtmp://host:1935/live/supersecretkey");
  CHECK(url.masked() == "rtmp://host:1935/live/****");
  CHECK(url.masked().find("supersecretkey") == std::string::npos);
}

TEST_CASE("a scheme other than rtmp or rtmps is refused", "[publish_url]") {
  CHECK(errorOf("https://host/live/k") == "l'URL doit commencer par rtmp:// ou rtmps://, pas https://");
  CHECK(errorOf("srt://host/live/k").find("l'URL doit commencer par rtmp:// ou rtmps://") == 0);
  CHECK(errorOf("host/live/k") == "l'URL doit commencer par rtmp:// ou rtmps://");
  CHECK(errorOf("rtmp:/host/live/k") == "l'URL doit commencer par rtmp:// ou rtmps://");
}

TEST_CASE("an empty URL is refused", "[publish_url]") {
  CHECK(errorOf("") == "l'URL est vide");
  CHECK(errorOf("   ") == "l'URL est vide");
}

TEST_CASE("a missing host is refused", "[publish_url]") {
  CHECK(errorOf("rtmp:///live/k") == "il manque le serveur");
  CHECK(errorOf("rtmp://:1935/live/k") == "il manque le serveur");
  CHECK(errorOf("rtmp://[]/live/k") == "il manque le serveur");
}

TEST_CASE("a host with forbidden characters is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://ho%st/live/k").find("le serveur contient des caractères") == 0);
  CHECK(errorOf("rtmp://[::1/live/k") == "l'adresse IPv6 n'a pas de « ] » fermant");
  CHECK(errorOf("rtmp://[::g]/live/k").find("IPv6 contient") != std::string::npos);
  CHECK(errorOf("rtmp://[::1]x/live/k") == "caractères inattendus après l'adresse IPv6");
}

TEST_CASE("credentials in the URL are refused", "[publish_url]") {
  CHECK(errorOf("rtmp://user:pass@host/live/k").find("identifiant (utilisateur@serveur)") != std::string::npos);
}

TEST_CASE("a port out of 1..65535 is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host:70000/live/k") == "port 70000 hors limites (de 1 à 65535)");
  CHECK(errorOf("rtmp://host:0/live/k") == "port 0 hors limites (de 1 à 65535)");
  CHECK(errorOf("rtmp://host:99999999999999999999/live/k").find("hors limites") != std::string::npos);
}

TEST_CASE("a port that is empty or not a number is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host:/live/k") == "le port est vide après « : »");
  CHECK(errorOf("rtmp://host:abc/live/k") == "le port doit être un nombre");
  CHECK(errorOf("rtmp://host:19-35/live/k") == "le port doit être un nombre");
}

TEST_CASE("a URL without an application path is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host").find("pas de chemin d'application") == 0);
  CHECK(errorOf("rtmp://host/").find("pas de chemin d'application") == 0);
  CHECK(errorOf("rtmp://host:1935?x=1").find("pas de chemin d'application") == 0);
  CHECK(errorOf("rtmp://host/", Secret("k")).find("pas de chemin d'application") == 0);
}

TEST_CASE("a URL that ends at the application has no stream key", "[publish_url]") {
  const auto result = parsePublishUrl("rtmps://a.rtmps.youtube.com:443/live2");
  REQUIRE(result.error.has_value());
  CHECK(result.error->message == "pas de clé de stream : l'URL s'arrête à l'application");
  CHECK(result.error->missingKey);
  CHECK(errorOf("rtmps://live-api-s.facebook.com:443/rtmp/") ==
        "pas de clé de stream : l'URL s'arrête à l'application");
}

TEST_CASE("an empty path segment is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host/live//k") == "le chemin a un segment vide (//)");
  CHECK(errorOf("rtmp://host//live/k") == "le chemin a un segment vide (//)");
  CHECK(errorOf("rtmp://host/live//", Secret("k")) == "le chemin a un segment vide (//)");
}

TEST_CASE("spaces, control characters and fragments inside the URL are refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host/live/my key") == "l'URL contient une espace ou un caractère de contrôle");
  CHECK(errorOf("rtmp://host/live/k\tx") == "l'URL contient une espace ou un caractère de contrôle");
  CHECK(errorOf("rtmp://host/live/k#frag").find("fragment") != std::string::npos);
}

TEST_CASE("a separate key is refused when the URL carries a query string", "[publish_url]") {
  CHECK(errorOf("rtmp://host/live?x=1", Secret("k")).find("requête (?…)") != std::string::npos);
}

TEST_CASE("a separate key that is empty, has blanks or a slash is refused", "[publish_url]") {
  CHECK(errorOf("rtmp://host/live", Secret("")) == "la clé de stream est vide");
  CHECK(errorOf("rtmp://host/live", Secret("abc def")) ==
        "la clé de stream contient une espace ou un caractère de contrôle");
  CHECK(errorOf("rtmp://host/live", Secret("abc\n")) ==
        "la clé de stream contient une espace ou un caractère de contrôle");
  CHECK(errorOf("rtmp://host/live", Secret("abc/def")) == "la clé de stream ne doit pas contenir « / »");
  CHECK(errorOf("rtmp://host/live", Secret("abc#def")) == "la clé de stream ne doit pas contenir « # »");
  CHECK_FALSE(checkStreamKey(Secret("abcd-efgh?x=1")).has_value());
}

TEST_CASE("an error message never contains the stream key", "[publish_url]") {
  const std::string key = "SeCrEtKeY-9f8e7d";
  const std::vector<std::string> broken = {
      "https://host/live/" + key,       "rtmp://host:70000/live/" + key,  "rtmp://host:x/live/" + key,
      "rtmp://host/live//" + key,       "rtmp://host/live/" + key + " x", "rtmp://host/live/" + key + "#x",
      "rtmp://" + key + "@host/live/k", "rtmp://h%st/live/" + key,        "rtmp://" + key + "%/live/k",
      "ftp" + key + "://host/live/k",
  };
  for (const auto& url : broken) {
    const auto result = parsePublishUrl(url);
    REQUIRE(result.error.has_value());
    CHECK(result.error->message.find(key) == std::string::npos);
  }
  for (const auto& separate : {key + " ", key + "/x", key + "#"}) {
    const auto result = parsePublishUrl("rtmp://host/live", Secret(separate));
    REQUIRE(result.error.has_value());
    CHECK(result.error->message.find(key) == std::string::npos);
  }
  const auto ok = parsePublishUrl("rtmp://host/live/" + key + "?token=" + key);
  REQUIRE(ok.url.has_value());
  CHECK(ok.url->masked().find(key) == std::string::npos);
}
