// `tribune accounts link|unlink|status youtube|facebook|peertube` (issue 20): the same
// platforms' adapter as the console's "Comptes" panel, driven from a terminal. Linking by
// device flow prints the code, the address and a QR code of it, then waits for the
// technician to sign in on a phone.
#include <qrencode.h>

#include <condition_variable>
#include <iostream>
#include <mutex>

#include "app/commands.h"
#include "app/config_loader.h"
#include "platforms/platform_service.h"

namespace tribune::app {

namespace {

// A QR code of `text` in the terminal, two modules a character (▀ ▄ █), with its quiet zone.
void printQr(const std::string& text) {
  QRcode* code = QRcode_encodeString(text.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1);
  if (code == nullptr) return;
  const int width = code->width;
  auto dark = [&](int x, int y) {
    return x >= 0 && y >= 0 && x < width && y < width && (code->data[y * width + x] & 1) != 0;
  };
  // Light modules are drawn (a terminal is usually dark): the code reads as dark on light.
  for (int y = -2; y < width + 2; y += 2) {
    std::string line;
    for (int x = -2; x < width + 2; ++x) {
      const bool top = !dark(x, y);
      const bool bottom = !dark(x, y + 1);
      line += top && bottom ? "█" : top ? "▀" : bottom ? "▄" : " ";
    }
    std::cout << line << "\n";
  }
  QRcode_free(code);
}

class Printer final : public platforms::PlatformListener {
 public:
  void onAccount(const platforms::AccountView& account) override {
    std::lock_guard lock(mutex_);
    last_ = account;
    ++reports_;
    if (account.state == core::AccountState::linking && !account.userCode.empty() && account.userCode != shownCode_) {
      shownCode_ = account.userCode;
      std::cout << "Sur un téléphone, ouvrez / On a phone, open: " << account.verificationUrl << "\n"
                << "et saisissez le code / and type the code: " << account.userCode << "\n\n";
      printQr(account.verificationUrl);
      std::cout << "\nEn attente / Waiting…" << std::endl;
    }
    changed_.notify_all();
  }
  void onLive(const platforms::LiveView&, const std::optional<core::Ingest>&) override {}
  void onViewers(core::PlatformId, long long) override {}
  void onQuota(const platforms::QuotaView&) override {}
  void onChatStatus(core::PlatformId, const core::ChatStatus&) override {}
  void onChatMessages(const platforms::ChatBatch&) override {}

  // The account's state once it is neither unknown nor linking.
  platforms::AccountView waitForOutcome(int afterReports) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return reports_ > afterReports && last_.state != core::AccountState::linking; });
    return last_;
  }
  int reports() {
    std::lock_guard lock(mutex_);
    return reports_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  platforms::AccountView last_;
  int reports_ = 0;
  std::string shownCode_;
};

void describe(const platforms::AccountView& account) {
  const std::string name(core::displayName(account.platform));
  switch (account.state) {
    case core::AccountState::linked:
      std::cout << name << " : relié en tant que / linked as " << account.accountName << "\n";
      break;
    case core::AccountState::notLinked:
      std::cout << name << " : non relié / not linked";
      if (!account.why.empty()) std::cout << " — " << account.why << " / " << account.whyEnglish;
      std::cout << "\n";
      break;
    case core::AccountState::reconnect:
      std::cout << name << " : à reconnecter / to be reconnected — " << account.why << " / " << account.whyEnglish
                << "\n";
      break;
    case core::AccountState::linking: std::cout << name << " : liaison en cours / linking\n"; break;
  }
}

}  // namespace

int accountsCommand(const LogArguments& arguments, const std::string& action, const std::string& platformName) {
  const auto platform = core::platformFromString(platformName);
  if (!platform) {
    std::cerr << "tribune accounts: plateforme inconnue / unknown platform \"" << platformName
              << "\" (youtube, facebook, peertube)\n";
    return 2;
  }
  const auto loaded = loadOrReport(arguments.config);
  if (!loaded) return 2;
  const auto dataDir = dataDirOf(arguments.dataDir, *loaded);
  std::error_code ec;
  std::filesystem::create_directories(dataDir, ec);
  Printer printer;
  platforms::PlatformService service(loaded->config, dataDir, printer);
  if (!service.configured(*platform)) {
    std::cerr << "tribune accounts: " << core::displayName(*platform) << " n'est pas configuré : ajoutez platforms."
              << platformName << " à la configuration / is not configured: add platforms." << platformName
              << " to the configuration (docs/PLATFORMS.md)\n";
    return 2;
  }
  service.start();
  const auto kept = printer.waitForOutcome(0);
  if (action == "status") {
    describe(kept);
    return kept.state == core::AccountState::linked ? 0 : 1;
  }
  const int before = printer.reports();
  if (action == "unlink") {
    service.unlink(*platform);
    describe(printer.waitForOutcome(before));
    return 0;
  }
  service.link(*platform);
  const auto outcome = printer.waitForOutcome(before);
  describe(outcome);
  return outcome.state == core::AccountState::linked ? 0 : 1;
}

}  // namespace tribune::app
