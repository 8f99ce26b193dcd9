#include "test_certificates.h"

#include <chrono>
#include <stdexcept>
#include <vector>

#include "support/process.h"

namespace tribune::testing {
namespace {

using namespace std::chrono_literals;

void run(const std::vector<std::string>& argv) {
  const CommandResult result = runCommand(argv, 60s);
  if (result.exit_code != 0) {
    throw std::runtime_error("openssl failed (" + describeCommand(argv) + "): " + result.err);
  }
}

// P-256 keys: as good as RSA here, and made at once.
const std::vector<std::string> kNewKey = {"-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"};

}  // namespace

CertificateFiles makeCertificateAuthority(const TempDir& dir, const std::string& name) {
  CertificateFiles made{dir / (name + ".pem"), dir / (name + "-key.pem")};
  std::vector<std::string> argv = {"openssl", "req", "-x509"};
  argv.insert(argv.end(), kNewKey.begin(), kNewKey.end());
  argv.insert(argv.end(), {"-days", "2", "-subj", "/CN=Tribune test CA " + name, "-addext",
                           "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                           "-keyout", made.key.string(), "-out", made.certificate.string()});
  run(argv);
  return made;
}

CertificateFiles makeServerCertificate(const TempDir& dir, const std::string& name, const CertificateFiles& authority,
                                       const std::string& ip) {
  CertificateFiles made{dir / (name + ".pem"), dir / (name + "-key.pem")};
  const std::filesystem::path request = dir / (name + ".csr");
  const std::filesystem::path extensions = dir / (name + ".ext");
  writeTextFile(extensions,
                "basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\nextendedKeyUsage=serverAuth\n"
                "subjectAltName=IP:" +
                    ip + "\n");
  std::vector<std::string> argv = {"openssl", "req"};
  argv.insert(argv.end(), kNewKey.begin(), kNewKey.end());
  argv.insert(argv.end(), {"-subj", "/CN=" + ip, "-keyout", made.key.string(), "-out", request.string()});
  run(argv);
  run({"openssl", "x509", "-req", "-in", request.string(), "-CA", authority.certificate.string(), "-CAkey",
       authority.key.string(), "-set_serial",
       std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()), "-days", "2", "-extfile",
       extensions.string(), "-out", made.certificate.string()});
  return made;
}

}  // namespace tribune::testing
