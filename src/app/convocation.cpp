#include "app/convocation.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <array>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <system_error>
#include <vector>

#include "core/agenda_json.h"
#include "core/convocation.h"
#include "core/schedule.h"

namespace tribune::app {
namespace {

using Json = nlohmann::json;

constexpr auto kToolTimeout = std::chrono::seconds(20);
constexpr std::size_t kMaxToolOutput = std::size_t{8} * 1024 * 1024;  // a convocation's text is a few kB
constexpr std::string_view kFormats = ".pdf, .odt, .docx, .txt ou .json";

char lowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

ConvocationRead failure(std::string code, std::string message, int status = 400) {
  ConvocationRead read;
  read.errorCode = std::move(code);
  read.errorMessage = std::move(message);
  read.errorStatus = status;
  return read;
}

std::string_view kindName(UploadKind kind) {
  switch (kind) {
    case UploadKind::Json: return "JSON";
    case UploadKind::Text: return "texte";
    case UploadKind::Pdf: return "PDF";
    case UploadKind::Odt: return "ODT";
    case UploadKind::Docx: return "DOCX";
  }
  return "?";
}

// What the content says it is, by its first bytes.
std::string_view contentLooksLike(std::string_view bytes) {
  if (bytes.substr(0, 1024).find("%PDF-") != std::string_view::npos) return "un PDF";
  if (bytes.starts_with("PK\x03\x04")) return "une archive zip (ODT, DOCX…)";
  if (bytes.starts_with("MZ")) return "un programme Windows (.exe)";
  if (bytes.starts_with("\x7F"
                        "ELF"))
    return "un programme";
  if (bytes.starts_with("\xD0\xCF\x11\xE0")) return "un ancien document Word (.doc)";
  if (bytes.starts_with("\x89PNG") || bytes.starts_with("\xFF\xD8\xFF")) return "une image";
  return "autre chose";
}

// A private directory (0700) for the uploaded file (0600), removed with everything in it.
class PrivateDir {
 public:
  PrivateDir() {
    const char* base = std::getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/tribune-upload-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::system_error(errno, std::generic_category(), "mkdtemp");
    path_ = pattern;
  }
  ~PrivateDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  PrivateDir(const PrivateDir&) = delete;
  PrivateDir& operator=(const PrivateDir&) = delete;
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  std::filesystem::path write(const std::string& name, std::string_view bytes) const {
    auto file = path_ / name;
    const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), "open " + file.string());
    std::size_t done = 0;
    while (done < bytes.size()) {
      const auto n = ::write(fd, bytes.data() + done, bytes.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        const int error = errno;
        ::close(fd);
        throw std::system_error(error, std::generic_category(), "write " + file.string());
      }
      done += static_cast<std::size_t>(n);
    }
    ::close(fd);
    return file;
  }

 private:
  std::filesystem::path path_;
};

struct ToolRun {
  enum class Outcome { Exited, NotFound, TimedOut, TooMuchOutput } outcome = Outcome::Exited;
  int exitCode = -1;
  std::string out;
};

// Runs argv (an absolute program path; no shell) in `dir`, stdin from /dev/null, with a
// minimal environment, at most kToolTimeout and kMaxToolOutput of output; killed past them.
ToolRun runTool(const std::vector<std::string>& argv, const std::filesystem::path& dir) {
  ToolRun run;
  if (::access(argv[0].c_str(), X_OK) != 0) {
    run.outcome = ToolRun::Outcome::NotFound;
    return run;
  }
  // Everything the child needs is prepared before fork: it only calls async-signal-safe
  // functions until exec.
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  const std::string home = "HOME=" + dir.string();
  const std::string tmp = "TMPDIR=" + dir.string();
  std::array<const char*, 6> env{"PATH=/usr/bin:/bin", "LANG=C.UTF-8", "LC_ALL=C.UTF-8",
                                 home.c_str(),         tmp.c_str(),    nullptr};
  const std::string where = dir.string();
  std::array<int, 2> pipeFds{};
  if (::pipe2(pipeFds.data(), O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(pipeFds[0]);
    ::close(pipeFds[1]);
    throw std::system_error(error, std::generic_category(), "fork");
  }
  if (pid == 0) {
    const int devNull = ::open("/dev/null", O_RDWR);
    if (devNull < 0 || ::dup2(devNull, 0) < 0 || ::dup2(pipeFds[1], 1) < 0 || ::dup2(devNull, 2) < 0) _exit(126);
    ::close_range(3, ~0U, 0);  // the station's sockets and files stay the station's
    if (::chdir(where.c_str()) != 0) _exit(126);
    ::setpgid(0, 0);  // its own group, so that a timeout kills docx2txt's unzip too
    const rlimit cpu{30, 30};
    ::setrlimit(RLIMIT_CPU, &cpu);
    const rlimit memory{rlim_t{1} << 30, rlim_t{1} << 30};
    ::setrlimit(RLIMIT_AS, &memory);
    ::execve(args[0], args.data(), const_cast<char* const*>(env.data()));
    _exit(127);
  }
  ::close(pipeFds[1]);
  const auto deadline = std::chrono::steady_clock::now() + kToolTimeout;
  std::array<char, 65536> buffer{};
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      run.outcome = ToolRun::Outcome::TimedOut;
      break;
    }
    pollfd fd{pipeFds[0], POLLIN, 0};
    const int ready = ::poll(&fd, 1, static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;  // the deadline is checked above
    const auto n = ::read(pipeFds[0], buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;  // end of output
    run.out.append(buffer.data(), static_cast<std::size_t>(n));
    if (run.out.size() > kMaxToolOutput) {
      run.outcome = ToolRun::Outcome::TooMuchOutput;
      break;
    }
  }
  ::close(pipeFds[0]);
  if (run.outcome != ToolRun::Outcome::Exited) {
    ::kill(-pid, SIGKILL);
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (run.outcome == ToolRun::Outcome::Exited) run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

// The text of a PDF, ODT or DOCX, or the reason it has none.
ConvocationRead extractText(std::string_view bytes, UploadKind kind) {
  std::string fileName;
  std::vector<std::string> argv;
  std::string package;
  switch (kind) {
    case UploadKind::Pdf:
      fileName = "convocation.pdf";
      argv = {"/usr/bin/pdftotext", "-layout", "-enc", "UTF-8", "-q", fileName, "-"};
      package = "poppler-utils";
      break;
    case UploadKind::Odt:
      fileName = "convocation.odt";
      argv = {"/usr/bin/odt2txt", "--encoding=UTF-8", "--width=-1", "--subst=none", fileName};
      package = "odt2txt";
      break;
    default:
      fileName = "convocation.docx";
      argv = {"/usr/bin/docx2txt", fileName, "-"};
      package = "docx2txt";
      break;
  }
  PrivateDir dir;
  dir.write(fileName, bytes);
  const auto run = runTool(argv, dir.path());
  const std::string what(kindName(kind));
  switch (run.outcome) {
    case ToolRun::Outcome::NotFound:
      return failure("tool_missing",
                     "Tribune ne peut pas lire les fichiers " + what + " sur cette machine : il manque " + argv[0] +
                         " (paquet Debian " + package + ").",
                     500);
    case ToolRun::Outcome::TimedOut:
      return failure("too_slow",
                     "La lecture du fichier a pris plus de 20 secondes : elle a été abandonnée. "
                     "Enregistrez la convocation de nouveau (ou en texte) et réessayez.");
    case ToolRun::Outcome::TooMuchOutput:
      return failure("too_much_text",
                     "Ce document contient bien plus de texte qu'une convocation : est-ce le bon fichier ?");
    case ToolRun::Outcome::Exited: break;
  }
  if (run.exitCode != 0) {
    return failure("unreadable_file",
                   "Le fichier n'a pas pu être lu : il semble endommagé ou n'est pas un " + what + ".");
  }
  ConvocationRead read;
  read.text = run.out;
  if (kind == UploadKind::Docx) {
    // docx2txt writes some characters the ASCII way; the French quotes come back (a
    // literal "<<" in a convocation is unlikely). Its others ("Euro" for €, " - " for an
    // en dash, "..." for …) stay: docs/SCHEDULE.md says so, and the review shows them.
    for (const auto& [ascii, french] : {std::pair{std::string_view("<<"), std::string_view("\u00AB")},
                                        std::pair{std::string_view(">>"), std::string_view("\u00BB")}}) {
      for (auto at = read.text.find(ascii); at != std::string::npos; at = read.text.find(ascii, at + french.size())) {
        read.text.replace(at, ascii.size(), french);
      }
    }
  }
  if (read.text.find_first_not_of(" \t\r\n\f") == std::string::npos) {
    if (kind == UploadKind::Pdf) {
      return failure("no_text",
                     "Ce PDF ne contient pas de texte (document numérisé ?) : Tribune ne lit pas les images. "
                     "Envoyez le PDF produit par le traitement de texte, ou saisissez l'ordre du jour.");
    }
    return failure("no_text", "Ce document " + what + " ne contient aucun texte.");
  }
  return read;
}

}  // namespace

KindOrError uploadKindFromName(std::string_view fileName) {
  const auto dot = fileName.rfind('.');
  std::string extension;
  if (dot != std::string_view::npos) {
    for (const char c : fileName.substr(dot + 1)) extension += lowerAscii(c);
  }
  if (extension == "pdf") return {UploadKind::Pdf, {}};
  if (extension == "odt") return {UploadKind::Odt, {}};
  if (extension == "docx") return {UploadKind::Docx, {}};
  if (extension == "txt") return {UploadKind::Text, {}};
  if (extension == "json") return {UploadKind::Json, {}};
  if (extension == "doc") {
    return {UploadKind::Json,
            "Les anciens documents Word (.doc) ne sont pas lus : enregistrez la convocation en .docx ou en PDF."};
  }
  const std::string shown = extension.empty() ? "sans extension" : "« ." + extension + " »";
  return {UploadKind::Json,
          "Type de fichier non reconnu (" + shown + ") : envoyez la convocation en " + std::string(kFormats) + "."};
}

ConvocationRead readConvocation(std::string_view bytes, UploadKind kind, const core::MeetingInfo& meeting) {
  if (bytes.find_first_not_of(" \t\r\n\f") == std::string_view::npos) {
    return failure("empty_file", "Le fichier est vide.");
  }
  const auto looksLike = contentLooksLike(bytes);
  const bool isPdf = looksLike == "un PDF";
  const bool isZip = bytes.starts_with("PK\x03\x04");
  const std::string what(kindName(kind));
  if ((kind == UploadKind::Pdf && !isPdf) || ((kind == UploadKind::Odt || kind == UploadKind::Docx) && !isZip) ||
      ((kind == UploadKind::Text || kind == UploadKind::Json) && (isPdf || isZip || looksLike != "autre chose"))) {
    return failure("wrong_format", "Le fichier n'a pas pu être lu : son nom dit " + what + " mais son contenu est " +
                                       std::string(looksLike) + ". Envoyez la convocation en " + std::string(kFormats) +
                                       ".");
  }
  if (kind == UploadKind::Json) {
    ConvocationRead read;
    read.text = std::string(bytes);
    auto json = Json::parse(bytes, nullptr, false);
    if (json.is_object() && json.contains("meeting") && json["meeting"].is_object()) {
      // The form's values, when given, replace the file's.
      for (auto [key, value] : {std::pair{"title", &meeting.title}, std::pair{"date", &meeting.date},
                                std::pair{"time", &meeting.time}, std::pair{"place", &meeting.place}}) {
        if (!value->empty()) json["meeting"][key] = *value;
      }
      if (!json["meeting"].contains("commune") && !meeting.commune.empty())
        json["meeting"]["commune"] = meeting.commune;
      read.result = core::parseAgendaJson(json.dump());
    } else {
      read.result = core::parseAgendaJson(bytes);
    }
    return read;
  }
  if (kind == UploadKind::Text) {
    ConvocationRead read;
    read.text = std::string(bytes);
    read.result = core::parseAgendaText(bytes, meeting);
    return read;
  }
  auto extracted = extractText(bytes, kind);
  if (!extracted.readable()) return extracted;
  auto found = core::agendaFromConvocation(extracted.text, meeting);
  ConvocationRead read;
  read.text = std::move(found.text);
  read.result = std::move(found.result);
  if (read.text.empty() && !read.result.ok()) {
    read.errorCode = "no_agenda";
    read.errorMessage = read.result.problems.front().message;
  }
  return read;
}

namespace {

std::string urlDecoded(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%' && i + 2 < text.size() && std::isxdigit(static_cast<unsigned char>(text[i + 1])) &&
               std::isxdigit(static_cast<unsigned char>(text[i + 2]))) {
      out += static_cast<char>(std::stoi(std::string(text.substr(i + 1, 2)), nullptr, 16));
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> queryValue(std::string_view query, std::string_view key) {
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    const auto eq = pair.find('=');
    if (pair.substr(0, eq) == key)
      return eq == std::string_view::npos ? std::string() : urlDecoded(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

web::HttpResponse errorAnswer(int status, const std::string& code, const std::string& message,
                              const std::vector<core::AgendaProblem>& problems, const std::string& text) {
  Json list = Json::array();
  for (const auto& problem : problems) list.push_back({{"where", problem.where}, {"message", problem.message}});
  const Json body{
      {"type", "error"}, {"status", status}, {"code", code}, {"message", message}, {"problems", std::move(list)},
      {"text", text}};
  return {status, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

}  // namespace

web::HttpResponse previewConvocation(const web::HttpRequest& request, const std::string& commune) {
  const auto name = queryValue(request.query, "name");
  if (!name || name->empty()) {
    return errorAnswer(400, "missing_name", "Le nom du fichier manque (?name=convocation.pdf).", {}, {});
  }
  const auto kind = uploadKindFromName(*name);
  if (!kind.error.empty()) return errorAnswer(400, "unknown_format", kind.error, {}, {});
  core::MeetingInfo meeting;
  meeting.commune = commune;
  meeting.title = queryValue(request.query, "title").value_or("");
  meeting.date = queryValue(request.query, "date").value_or("");
  meeting.time = queryValue(request.query, "time").value_or("");
  meeting.place = queryValue(request.query, "place").value_or("");
  const bool jsonFile = kind.kind == UploadKind::Json;
  if (meeting.title.empty() && !jsonFile) meeting.title = std::string(core::kDefaultMeetingTitle);
  const auto read = readConvocation(request.body, kind.kind, meeting);
  if (!read.readable()) {
    return errorAnswer(read.errorStatus, read.errorCode, read.errorMessage, read.result.problems, read.text);
  }
  if (!read.result.ok()) {
    const auto& first = read.result.problems.front();
    return errorAnswer(400, "invalid_agenda",
                       "L'ordre du jour n'est pas valable : " + first.where + " : " + first.message,
                       read.result.problems, read.text);
  }
  // The same refusals as the save's (a time is required…), so that the review shows them first.
  core::Schedule scratch;
  if (const auto edit = core::addPlannedMeeting(scratch, 0, read.result.agenda); !edit.ok()) {
    return errorAnswer(edit.status, edit.code, edit.message, edit.problems, read.text);
  }
  const Json body{{"text", read.text}, {"agenda", core::agendaToJson(read.result.agenda)}, {"problems", Json::array()}};
  return {200, "application/json", body.dump(-1, ' ', false, Json::error_handler_t::replace)};
}

}  // namespace tribune::app
