#include "support/running_redis.h"

#include <csignal>
#include <random>
#include <sstream>
#include <stdexcept>

namespace tribune::testing {
namespace {

constexpr const char* kRedisServer = "/usr/bin/redis-server";
constexpr const char* kReadyLine = "Ready to accept connections";
constexpr std::chrono::seconds kStartTimeout{10};
constexpr std::chrono::seconds kStopGrace{5};
constexpr int kPortAttempts = 5;

std::string randomPassword() {
  std::random_device device;
  std::uniform_int_distribution<int> digit(0, 15);
  std::string password;
  for (int i = 0; i < 32; ++i) password += "0123456789abcdef"[digit(device)];
  return password;
}

std::size_t countOccurrences(const std::string& text, std::string_view needle) {
  std::size_t count = 0;
  for (std::size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + needle.size())) {
    ++count;
  }
  return count;
}

void openssl(const std::vector<std::string>& arguments) {
  std::vector<std::string> argv = {"openssl"};
  argv.insert(argv.end(), arguments.begin(), arguments.end());
  CommandResult result = runCommand(argv, std::chrono::seconds(30));
  if (result.exit_code != 0) {
    throw std::runtime_error("RunningRedis: " + describeCommand(argv) + " failed: " + result.err);
  }
}

// A self-signed CA certificate and its key (P-256: quick to make).
void makeCa(const std::filesystem::path& certificate, const std::filesystem::path& key, std::string_view name) {
  openssl({"req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "2", "-subj",
           "/CN=" + std::string(name), "-addext", "basicConstraints=critical,CA:TRUE", "-addext",
           "keyUsage=critical,keyCertSign,cRLSign", "-keyout", key.string(), "-out", certificate.string()});
}

}  // namespace

RunningRedis::RunningRedis(RunningRedisOptions options)
    : dir_("tribune-redis"), options_(options), password_(randomPassword()), admin_password_(randomPassword()) {
  if (options_.tls) makeCertificates();
  for (int attempt = 1; attempt <= kPortAttempts; ++attempt) {
    // Another process can take the port between freeLoopbackPort() and redis' bind.
    port_ = freeLoopbackPort();
    writeConfig();
    if (launch()) return;
  }
  throw std::runtime_error("RunningRedis: no free port after several attempts:\n" + log());
}

RunningRedis::~RunningRedis() {
  try {
    stop();
  } catch (...) {
    // A destructor must not throw; ~Process still SIGKILLs and reaps.
  }
}

void RunningRedis::makeCertificates() {
  makeCa(caFile(), dir_ / "ca.key", "Tribune test CA");
  openssl({"req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-subj", "/CN=127.0.0.1",
           "-keyout", (dir_ / "server.key").string(), "-out", (dir_ / "server.csr").string()});
  // The server's only name is its address: a client that connects by "localhost" must fail.
  writeTextFile(dir_ / "server.ext",
                "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n");
  openssl({"x509", "-req", "-in", (dir_ / "server.csr").string(), "-CA", caFile().string(), "-CAkey",
           (dir_ / "ca.key").string(), "-CAserial", (dir_ / "ca.srl").string(), "-CAcreateserial", "-days", "2",
           "-extfile", (dir_ / "server.ext").string(), "-out", (dir_ / "server.pem").string()});
}

std::filesystem::path RunningRedis::makeUnrelatedCa(std::string_view name) {
  std::filesystem::path certificate = dir_ / (std::string(name) + ".pem");
  makeCa(certificate, dir_ / (std::string(name) + ".key"), name);
  return certificate;
}

void RunningRedis::writeConfig() const {
  const std::string dir = directory().string();
  std::ostringstream conf;
  conf << "bind 127.0.0.1\n";
  if (options_.tls) {
    conf << "port 0\n"
         << "tls-port " << port_ << "\n"
         << "tls-cert-file " << dir << "/server.pem\n"
         << "tls-key-file " << dir << "/server.key\n"
         << "tls-ca-cert-file " << dir << "/ca.pem\n"
         << "tls-auth-clients no\n";
  } else {
    conf << "port " << port_ << "\n";
  }
  conf << "daemonize no\n"
       << "logfile \"\"\n"  // stdout, appended to redis.log by Process
       << "dir " << dir << "\n"
       << "appendonly yes\n"
       << "appendfsync always\n"
       << "save \"\"\n"
       << "user default off\n"
       << "user " << kUser << " on >" << password_ << " ~tribune:* resetchannels +@all -@dangerous -@admin\n"
       << "user admin on >" << admin_password_ << " ~* &* +@all\n";
  // The password is in this file: the TempDir is 0700 (mkdtemp).
  writeTextFile(dir_ / "redis.conf", conf.str());
}

bool RunningRedis::launch() {
  const std::size_t readyBefore = countOccurrences(log(), kReadyLine);
  const std::size_t logBefore = log().size();
  ProcessOptions options;
  options.out = Redirect::appendTo(dir_ / "redis.log");
  options.err = Redirect::appendTo(dir_ / "redis.log");
  options.cwd = directory();
  server_.emplace(std::vector<std::string>{kRedisServer, (dir_ / "redis.conf").string()}, options);

  const bool ready = waitUntil([&] { return !server_->running() || countOccurrences(log(), kReadyLine) > readyBefore; },
                               kStartTimeout);
  if (ready && server_->running()) return true;
  if (!ready) {
    server_->kill9();
    server_.reset();
    throw std::runtime_error("RunningRedis: redis-server not ready within 10 s:\n" + log());
  }
  server_.reset();
  if (log().find("Address already in use", logBefore) != std::string::npos) return false;
  throw std::runtime_error("RunningRedis: redis-server exited while starting:\n" + log());
}

void RunningRedis::killHard() {
  if (server_) server_->kill9();
}

void RunningRedis::stop() {
  if (!server_) return;
  if (server_->running()) {
    server_->signal(SIGTERM);
    if (!server_->waitFor(kStopGrace)) server_->kill9();
  }
  server_.reset();
}

void RunningRedis::restart() {
  stop();
  if (!launch())
    throw std::runtime_error("RunningRedis: could not take port " + std::to_string(port_) + " back:\n" + log());
}

bool RunningRedis::running() { return server_ && server_->running(); }

std::string RunningRedis::log() const { return readTextFile(dir_ / "redis.log"); }

bus::RedisSettings RunningRedis::settings() const {
  bus::RedisSettings settings;
  settings.host = "127.0.0.1";
  settings.port = port_;
  settings.tls = options_.tls;
  if (options_.tls) settings.caFile = caFile();
  settings.user = kUser;
  settings.password = password_;
  return settings;
}

bus::RedisSettings RunningRedis::adminSettings() const {
  bus::RedisSettings settings = this->settings();
  settings.user = "admin";
  settings.password = admin_password_;
  return settings;
}

}  // namespace tribune::testing
