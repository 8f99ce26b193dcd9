#include <catch2/catch.hpp>

#include <fstream>

#include "core/svg_template.h"
#include "graphics/template_renderer.h"
#include "support/process.h"
#include "support/temp_dir.h"

using namespace tribune;
using namespace std::chrono_literals;

namespace {

const std::filesystem::path kOverlays = std::filesystem::path(TRIBUNE_SOURCE_DIR) / "overlays";
const std::filesystem::path kFixtures = std::filesystem::path(TRIBUNE_SOURCE_DIR) / "tests/graphics/fixtures";

std::map<std::string, std::string> branding() {
  std::string error;
  return {{"commune", "Ville de Démo"},
          {"color_primary", "#1f3a93"},
          {"color_accent", "#e4002b"},
          {"color_text", "#ffffff"},
          {"font", "Open Sans"},
          {"time", "19:42"},
          {"logo", *graphics::imageDataUri(kOverlays / "no-logo.png", error)}};
}

std::map<std::string, std::string> with(std::map<std::string, std::string> values) {
  auto all = branding();
  for (auto& [k, v] : values) all[k] = v;
  return all;
}

const std::string k200 =
    "Approbation du compte de gestion 2025 du budget annexe de l'eau et de l'assainissement, affectation du "
    "résultat de fonctionnement et reprise anticipée des restes à réaliser de la section d'investissement « eau »";

struct Bounds {
  int left = INT32_MAX, top = INT32_MAX, right = -1, bottom = -1;
};

Bounds opaqueBounds(const graphics::Image& image) {
  Bounds b;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (image.alphaAt(x, y) != 0) {
        b.left = std::min(b.left, image.x + x);
        b.right = std::max(b.right, image.x + x);
        b.top = std::min(b.top, image.y + y);
        b.bottom = std::max(b.bottom, image.y + y);
      }
    }
  }
  return b;
}

// Greyscale PGM of the image over white, for zbarimg.
void writePgmOverWhite(const graphics::Image& image, const std::filesystem::path& file) {
  std::ofstream out(file, std::ios::binary);
  out << "P5\n" << image.width << " " << image.height << "\n255\n";
  for (int i = 0; i < image.width * image.height; ++i) {
    const auto* p = &image.pixels[static_cast<std::size_t>(i) * 4];
    const int alpha = p[3];
    const int luma = (p[0] * 114 + p[1] * 587 + p[2] * 299) / 1000;  // premultiplied B, G, R
    out.put(static_cast<char>(std::min(255, luma + (255 - alpha))));
  }
}

}  // namespace

TEST_CASE("the text of a fitted box never leaves the box, however long", "[graphics][fit]") {
  graphics::TemplateRenderer renderer({kFixtures}, 1920, 1080);
  for (const std::string& text : {std::string("Budget"), k200, k200 + " " + k200}) {
    INFO(text.size() << " bytes");
    auto result = renderer.render("fit-box", {{"text", text}});
    REQUIRE(result.image);
    const auto b = opaqueBounds(*result.image);
    CHECK(b.left >= 100);
    CHECK(b.top >= 100);
    CHECK(b.right < 500);
    CHECK(b.bottom < 180);
  }
}

TEST_CASE("a long title wraps to two lines before it shrinks", "[graphics][fit]") {
  graphics::TemplateRenderer renderer({kFixtures}, 1920, 1080);
  auto shortTitle = renderer.render("fit-box", {{"text", "Budget"}});
  auto longTitle = renderer.render("fit-box", {{"text", "Budget primitif de la commune pour 2027"}});
  REQUIRE(shortTitle.image);
  REQUIRE(longTitle.image);
  CHECK(longTitle.image->height > shortTitle.image->height * 3 / 2);  // two lines of text
}

TEST_CASE("a 200-character agenda title stays inside the agenda lower-third", "[graphics][fit]") {
  REQUIRE(k200.size() >= 200);
  graphics::TemplateRenderer renderer({kOverlays}, 1920, 1080);
  auto result =
      renderer.render("agenda", with({{"number", "12 bis"}, {"title", k200}, {"rapporteur", "Mme Claire Martin"}}));
  INFO(result.error.value_or(""));
  REQUIRE(result.image);
  const auto b = opaqueBounds(*result.image);
  // docs/GRAPHICS.md: the agenda lower-third is x 96–1824, y 776–1026 at 1080p.
  CHECK(b.left >= 96);
  CHECK(b.right < 1824);
  CHECK(b.top >= 776);
  CHECK(b.bottom < 1026);
  // The smallest rectangle that holds it, not the whole frame.
  CHECK(result.image->width * result.image->height < 1920 * 1080 / 4);
}

TEST_CASE("every built-in template renders at 1080p and at 720p", "[graphics]") {
  const std::map<std::string, std::map<std::string, std::string>> values{
      {"agenda", {{"number", "1"}, {"title", "Budget"}, {"rapporteur", "M. le maire"}}},
      {"speaker", {{"name", "Mme Claire Martin"}, {"role", "Adjointe aux finances"}}},
      {"vote",
       {{"title", "Budget"}, {"pour", "23"}, {"contre", "4"}, {"abstention", "2"}, {"npp", "0"}, {"result", "Adopté"}}},
      {"question",
       {{"text", "Quand la piscine rouvrira-t-elle ?"},
        {"pseudonym", "Camille"},
        {"quartier", "Les Tilleuls"},
        {"origine", "Facebook"}}},
      {"bug", {}},
      {"qr", {{"url", "https://www.ville-demo.fr/questions"}, {"caption", "Posez vos questions"}}},
      {"starting", {}},
      {"suspension", {}},
      {"huis-clos", {}},
      {"signal-lost", {}},
      {"ended", {}}};
  for (auto [width, height] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
    graphics::TemplateRenderer renderer({kOverlays}, width, height);
    for (const auto& [name, own] : values) {
      INFO(name << " at " << width << "x" << height);
      auto result = renderer.render(name, with(own));
      INFO(result.error.value_or(""));
      REQUIRE(result.image);
      CHECK(result.image->width > 0);
      CHECK(result.image->x + result.image->width <= width);
      CHECK(result.image->y + result.image->height <= height);
    }
  }
}

TEST_CASE("fitted text is drawn in its box at 720p as at 1080p", "[graphics][fit]") {
  for (auto [width, height] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
    INFO(width << "x" << height);
    graphics::TemplateRenderer renderer({kOverlays}, width, height);
    auto result = renderer.render("agenda", with({{"number", "1"}, {"title", "Budget primitif"}, {"rapporteur", ""}}));
    REQUIRE(result.image);
    const auto& image = *result.image;
    // The title box is x 136–1792, y 844–966 at 1080p: white text on the primary colour.
    const double s = width / 1920.0;
    int white = 0;
    for (int y = static_cast<int>(844 * s); y < static_cast<int>(966 * s); ++y) {
      for (int x = static_cast<int>(136 * s); x < static_cast<int>(1792 * s); ++x) {
        const int ix = x - image.x;
        const int iy = y - image.y;
        if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) continue;
        const auto* p = &image.pixels[(static_cast<std::size_t>(iy) * image.width + ix) * 4];
        if (p[0] > 230 && p[1] > 230 && p[2] > 230) ++white;
      }
    }
    CHECK(white > 200 * s * s);
  }
}

TEST_CASE("viewer text with markup is drawn as text, never parsed as SVG", "[graphics][escaping]") {
  graphics::TemplateRenderer renderer({kOverlays}, 1280, 720);
  const std::string payload = "</text><script>alert(1)</script>\"' onload=\"x\" & <b>gras</b> ]]>";
  auto result = renderer.render(
      "question", with({{"text", payload}, {"pseudonym", payload}, {"quartier", "&amp;"}, {"origine", payload}}));
  INFO(result.error.value_or(""));
  REQUIRE(result.image);
}

TEST_CASE("a platform's question graphic names its origin, escaped like every value, and the page's does not",
          "[graphics][escaping][questions]") {
  std::ifstream in(kOverlays / "question.svg", std::ios::binary);
  const std::string svg((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(core::templateVariables(svg).count("origine") == 1);
  const std::string script = "<script>alert(1)</script> Et la piscine ?";
  const std::string img = R"("><img src=x onerror=alert(1)>)";
  auto filled = core::fillTemplate(
      "question", svg, with({{"text", script}, {"pseudonym", img}, {"quartier", ""}, {"origine", "Facebook"}}));
  INFO(filled.error.value_or(""));
  REQUIRE(filled.svg);
  // The viewer's markup is text: no element of it, its characters escaped where it went.
  CHECK(filled.svg->find("<script") == std::string::npos);
  CHECK(filled.svg->find("<img") == std::string::npos);
  CHECK(filled.svg->find("&lt;script&gt;alert(1)&lt;/script&gt; Et la piscine ?") != std::string::npos);
  CHECK(filled.svg->find(R"(data-text="&quot;&gt;&lt;img src=x onerror=alert(1)&gt;")") != std::string::npos);
  CHECK(filled.svg->find(R"(data-text="Facebook")") != std::string::npos);
  // An origin is one of the core's names; were it ever hostile, it would be escaped too.
  auto hostileOrigin =
      core::fillTemplate("question", svg, with({{"text", "t"}, {"pseudonym", ""}, {"quartier", ""}, {"origine", img}}));
  REQUIRE(hostileOrigin.svg);
  CHECK(hostileOrigin.svg->find("<img") == std::string::npos);

  // Drawn: the tab's second part ("via Facebook") is there for a platform, in the design's
  // place (x 436..668, y 764..808), and absent for the commune's page; the whole graphic
  // stays in its lower-third.
  graphics::TemplateRenderer renderer({kOverlays}, 1920, 1080);
  auto fromFacebook = renderer.render(
      "question", with({{"text", script}, {"pseudonym", img}, {"quartier", ""}, {"origine", "Facebook"}}));
  auto fromPage = renderer.render(
      "question", with({{"text", script}, {"pseudonym", "Marie"}, {"quartier", "Centre"}, {"origine", ""}}));
  INFO(fromFacebook.error.value_or("") << fromPage.error.value_or(""));
  REQUIRE(fromFacebook.image);
  REQUIRE(fromPage.image);
  for (const auto* image : {&*fromFacebook.image, &*fromPage.image}) {
    const auto b = opaqueBounds(*image);
    CHECK(b.left >= 96);
    CHECK(b.right < 1824);
    CHECK(b.top >= 764);
    CHECK(b.bottom < 1026);
  }
  // Pixels of the tab's second part: opaque ones, and dark ones (the name and "via" in the
  // primary colour on the tab's white).
  auto tabPixels = [](const graphics::Image& image, bool dark) {
    int n = 0;
    for (int y = 768; y < 804; ++y) {
      for (int x = 446; x < 660; ++x) {
        const int ix = x - image.x;
        const int iy = y - image.y;
        if (ix < 0 || iy < 0 || ix >= image.width || iy >= image.height) continue;
        const auto* p = &image.pixels[(static_cast<std::size_t>(iy) * image.width + ix) * 4];
        if (p[3] == 0) continue;
        if (!dark || (p[0] < 190 && p[1] < 140 && p[2] < 120)) ++n;  // premultiplied B, G, R
      }
    }
    return n;
  };
  CHECK(tabPixels(*fromFacebook.image, false) > 200 * 30);
  CHECK(tabPixels(*fromFacebook.image, true) > 400);       // "via" and "Facebook" were drawn
  CHECK(tabPixels(*fromFacebook.image, true) < 200 * 20);  // text, not a filled box
  CHECK(tabPixels(*fromPage.image, false) == 0);
}

TEST_CASE("a template variable without a value is an error naming the template and the variable", "[graphics]") {
  graphics::TemplateRenderer renderer({kOverlays}, 1280, 720);
  auto result = renderer.render("agenda", with({{"number", "1"}, {"title", "Budget"}}));
  CHECK_FALSE(result.image);
  REQUIRE(result.error);
  CHECK(result.error->find("agenda") != std::string::npos);
  CHECK(result.error->find("{{rapporteur}}") != std::string::npos);
}

TEST_CASE("an unknown template is an error naming it, and names cannot leave the template folders", "[graphics]") {
  graphics::TemplateRenderer renderer({kOverlays}, 1280, 720);
  auto unknown = renderer.render("meteo", branding());
  REQUIRE(unknown.error);
  CHECK(unknown.error->find("unknown template 'meteo'") != std::string::npos);
  CHECK_FALSE(renderer.find("../tests/graphics/fixtures/fit-box"));
  CHECK_FALSE(renderer.find("/etc/passwd"));
}

TEST_CASE("a commune's template folder overrides the built-in file of the same name", "[graphics]") {
  graphics::TemplateRenderer renderer({kFixtures / "commune", kOverlays}, 1920, 1080);
  CHECK(*renderer.find("agenda") == kFixtures / "commune" / "agenda.svg");
  CHECK(*renderer.find("speaker") == kOverlays / "speaker.svg");
  auto result = renderer.render("agenda", with({{"number", "1"}, {"title", "t"}, {"rapporteur", "r"}}));
  REQUIRE(result.image);
  CHECK(result.image->x == 10);
  CHECK(result.image->y <= 10);
}

TEST_CASE("the QR code template draws a code that decodes to the question URL", "[graphics][qr]") {
  testing::TempDir dir;
  const std::string url = "https://www.ville-demo.fr/questions?seance=2026-12-03";
  for (auto [width, height] : {std::pair{1920, 1080}, std::pair{1280, 720}}) {
    graphics::TemplateRenderer renderer({kOverlays}, width, height);
    auto result = renderer.render("qr", with({{"url", url}, {"caption", "Posez vos questions"}}));
    REQUIRE(result.image);
    writePgmOverWhite(*result.image, dir / "qr.pgm");
    // zbarimg reads PNG reliably, not PGM.
    REQUIRE(testing::runCommand(
                {"ffmpeg", "-v", "error", "-y", "-i", (dir / "qr.pgm").string(), (dir / "qr.png").string()}, 30s)
                .exit_code == 0);
    auto decoded = testing::runCommand({"zbarimg", "--raw", "-q", (dir / "qr.png").string()}, 30s);
    INFO(decoded.err);
    CHECK(decoded.exit_code == 0);
    CHECK(decoded.out == url + "\n");
  }
}

TEST_CASE("a logo file becomes a data URI, and other files are refused with a reason", "[graphics]") {
  std::string error;
  auto uri = graphics::imageDataUri(kOverlays / "no-logo.png", error);
  REQUIRE(uri);
  CHECK(uri->rfind("data:image/png;base64,", 0) == 0);
  CHECK_FALSE(graphics::imageDataUri(kOverlays / "agenda.txt", error));
  CHECK(error.find(".png, .jpg or .svg") != std::string::npos);
  CHECK_FALSE(graphics::imageDataUri(kOverlays / "missing.png", error));
  CHECK(error.find("cannot read") != std::string::npos);
}
