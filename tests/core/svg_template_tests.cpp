#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "core/svg_template.h"

using namespace tribune::core;

namespace {

using Values = std::map<std::string, std::string>;

// Fills `svg` with {{t}} = `text` and returns the document, failing the test on an error.
std::string filled(const std::string& svg, const std::string& text) {
  const auto result = fillTemplate("test", svg, {{"t", text}});
  INFO(result.error.value_or(""));
  REQUIRE(result.svg);
  return *result.svg;
}

std::string errorOf(const std::string& name, const std::string& svg, const Values& values) {
  const auto result = fillTemplate(name, svg, values);
  REQUIRE_FALSE(result.svg);
  REQUIRE(result.error);
  return *result.error;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Escaping

TEST_CASE("escapeXml turns each of & < > \" ' into its entity", "[svg_template]") {
  CHECK(escapeXml("&") == "&amp;");
  CHECK(escapeXml("<") == "&lt;");
  CHECK(escapeXml(">") == "&gt;");
  CHECK(escapeXml("\"") == "&quot;");
  CHECK(escapeXml("'") == "&apos;");
  CHECK(escapeXml("Budget & finances <2026> \"vote\" l'an") ==
        "Budget &amp; finances &lt;2026&gt; &quot;vote&quot; l&apos;an");
  CHECK(escapeXml("").empty());
  CHECK(escapeXml("plain text 123") == "plain text 123");
}

TEST_CASE("escapeXml leaves UTF-8 untouched", "[svg_template]") {
  const std::string french = "Élection du maire – 2026 « test » àéèêëîïôùûüç ŒÆ €";
  CHECK(escapeXml(french) == french);
}

TEST_CASE("each special character is escaped in element text", "[svg_template]") {
  const std::string svg = "<text>{{t}}</text>";
  CHECK(filled(svg, "&") == "<text>&amp;</text>");
  CHECK(filled(svg, "<") == "<text>&lt;</text>");
  CHECK(filled(svg, ">") == "<text>&gt;</text>");
  CHECK(filled(svg, "\"") == "<text>&quot;</text>");
  CHECK(filled(svg, "'") == "<text>&apos;</text>");
}

TEST_CASE("each special character is escaped in an attribute value", "[svg_template]") {
  const std::string svg = R"(<rect data-text="{{t}}"/>)";
  CHECK(filled(svg, "&") == R"(<rect data-text="&amp;"/>)");
  CHECK(filled(svg, "<") == R"(<rect data-text="&lt;"/>)");
  CHECK(filled(svg, ">") == R"(<rect data-text="&gt;"/>)");
  CHECK(filled(svg, "\"") == R"(<rect data-text="&quot;"/>)");
  CHECK(filled(svg, "'") == R"(<rect data-text="&apos;"/>)");
  const std::string singleQuoted = "<rect data-text='{{t}}'/>";
  CHECK(filled(singleQuoted, "'") == "<rect data-text='&apos;'/>");
}

TEST_CASE("a markup payload in a value comes out as inert text", "[svg_template]") {
  const auto svg = filled("<text>{{t}}</text>", "</text><script>alert(1)</script>");
  CHECK(svg == "<text>&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;</text>");
  CHECK(svg.find("<script") == std::string::npos);
  CHECK(svg.find("</text><") == std::string::npos);
}

TEST_CASE("a quote in a value cannot close the attribute", "[svg_template]") {
  const auto svg = filled(R"(<rect data-text="{{t}}" width="10"/>)", R"(x" onload="alert(1))");
  CHECK(svg == R"svg(<rect data-text="x&quot; onload=&quot;alert(1)" width="10"/>)svg");
  // The only quotes left are the template's own four.
  CHECK(std::count(svg.begin(), svg.end(), '"') == 4);
  const auto single = filled("<rect data-text='{{t}}'/>", "x' onload='alert(1)");
  CHECK(std::count(single.begin(), single.end(), '\'') == 2);
}

// ---------------------------------------------------------------------------------------
// Variables

TEST_CASE("templateVariables lists every variable once, without braces", "[svg_template]") {
  const std::string svg = R"(<svg><text fill="{{text_color}}">{{title}}</text><text>{{ title }}</text>
    <text>{{rapporteur}} {{item_2}}</text></svg>)";
  CHECK(templateVariables(svg) == std::set<std::string>{"item_2", "rapporteur", "text_color", "title"});
  CHECK(templateVariables("<svg/>").empty());
  CHECK(templateVariables("").empty());
}

TEST_CASE("every occurrence of a variable is replaced", "[svg_template]") {
  const auto result = fillTemplate("agenda", "<a>{{n}}</a><b>{{n}}</b><c>{{m}}</c>", {{"n", "1"}, {"m", "2"}});
  REQUIRE(result.svg);
  CHECK(*result.svg == "<a>1</a><b>1</b><c>2</c>");
  CHECK_FALSE(result.error);
}

TEST_CASE("whitespace inside the braces is allowed and trimmed", "[svg_template]") {
  const auto result = fillTemplate("agenda", "<text>{{ title }}|{{\ttitle\n}}|{{title  }}</text>", {{"title", "A"}});
  REQUIRE(result.svg);
  CHECK(*result.svg == "<text>A|A|A</text>");
  CHECK(templateVariables("{{ title }}") == std::set<std::string>{"title"});
}

TEST_CASE("a template without variables comes out unchanged", "[svg_template]") {
  const std::string svg = R"(<svg xmlns="http://www.w3.org/2000/svg"><style>.a { fill: red; }</style></svg>)";
  const auto result = fillTemplate("bug", svg, {});
  REQUIRE(result.svg);
  CHECK(*result.svg == svg);
}

TEST_CASE("values the template does not use are ignored", "[svg_template]") {
  const auto result = fillTemplate("bug", "<text>{{commune}}</text>",
                                   {{"commune", "Ville de Démo"}, {"unused", "x"}, {"also_unused", "bad\x01"}});
  REQUIRE(result.svg);
  CHECK(*result.svg == "<text>Ville de Démo</text>");
}

TEST_CASE("UTF-8 accents and typographic characters are kept", "[svg_template]") {
  const std::string title = "Élection du maire – 2026 « test »";
  CHECK(filled("<text>{{t}}</text>", title) == "<text>" + title + "</text>");
  CHECK(filled(R"(<rect aria-label="{{t}}"/>)", title) == R"(<rect aria-label=")" + title + R"("/>)");
}

TEST_CASE("a value is never scanned for variables", "[svg_template]") {
  const auto result = fillTemplate("agenda", "<text>{{a}}</text>", {{"a", "{{b}}"}, {"b", "injected"}});
  REQUIRE(result.svg);
  CHECK(*result.svg == "<text>{{b}}</text>");
  CHECK(filled("<text>{{t}}</text>", "{{ unclosed") == "<text>{{ unclosed</text>");
}

TEST_CASE("tab and newline are accepted in a value", "[svg_template]") {
  CHECK(filled("<text>{{t}}</text>", "a\tb\nc") == "<text>a\tb\nc</text>");
}

// ---------------------------------------------------------------------------------------
// Errors

TEST_CASE("a variable without a value names the template and the variable", "[svg_template]") {
  CHECK(errorOf("agenda", "<text>{{title}}</text><text>{{rapporteur}}</text>", {{"title", "Budget"}}) ==
        "template 'agenda': no value for {{rapporteur}}");
}

TEST_CASE("the first missing variable in document order is reported", "[svg_template]") {
  // Alphabetical order would give "alpha"; the document uses "zulu" first.
  CHECK(errorOf("vote", "<a>{{zulu}}</a><b>{{alpha}}</b>", {}) == "template 'vote': no value for {{zulu}}");
  CHECK(errorOf("vote", "<a>{{ zulu }}</a>", {}) == "template 'vote': no value for {{zulu}}");
}

TEST_CASE("an unclosed {{ names the template, the line and the byte offset", "[svg_template]") {
  CHECK(errorOf("speaker", "<svg>\n<text>\n{{name</text>\n</svg>", {{"name", "x"}}) ==
        "template 'speaker': unclosed {{ at line 3, byte 13");
  CHECK(errorOf("speaker", "{{", {}) == "template 'speaker': unclosed {{ at line 1, byte 0");
  // A second {{ before any }}: the first one is the unclosed one.
  CHECK(errorOf("speaker", "<a>{{name</a>\n<b>{{role}}</b>", {{"name", "x"}, {"role", "y"}}) ==
        "template 'speaker': unclosed {{ at line 1, byte 3");
  CHECK(templateVariables("{{ok}} {{broken") == std::set<std::string>{"ok"});
}

TEST_CASE("a placeholder that is not a variable name is refused", "[svg_template]") {
  for (const auto* svg : {"<t>{{Title}}</t>", "<t>{{a-b}}</t>", "<t>{{}}</t>", "<t>{{  }}</t>", "<t>{{a b}}</t>"}) {
    INFO(svg);
    const auto error = errorOf("agenda", svg, {{"Title", "x"}, {"a", "x"}});
    CHECK_THAT(error, Catch::StartsWith("template 'agenda': invalid variable {{"));
    CHECK_THAT(error, Catch::Contains("at line 1, byte 3"));
  }
}

TEST_CASE("a control character in a value is refused, naming the variable", "[svg_template]") {
  for (const char control : {'\x00', '\x01', '\x08', '\x0b', '\x0c', '\r', '\x1b', '\x1f'}) {
    const auto error = errorOf("question", "<text>{{author}} {{text}}</text>",
                               {{"author", "Marie"}, {"text", std::string("avant") + control + "après"}});
    CHECK_THAT(error,
               Catch::StartsWith("template 'question': the value of {{text}} contains the control character U+00"));
  }
  CHECK(errorOf("question", "{{text}}", {{"text", "\x1b[31m"}}) ==
        "template 'question': the value of {{text}} contains the control character U+001B, which XML does not allow");
}

TEST_CASE("the error names the template it is given", "[svg_template]") {
  CHECK_THAT(errorOf("huis-clos", "{{commune}}", {}), Catch::StartsWith("template 'huis-clos': "));
}
