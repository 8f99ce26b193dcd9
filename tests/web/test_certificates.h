#pragma once
// Throw-away certificates for the TLS tests, made with the openssl CLI: a CA, and server
// certificates it signs for an IP address. Throws std::runtime_error with openssl's words
// when a command fails.
#include <filesystem>
#include <string>

#include "support/temp_dir.h"

namespace tribune::testing {

struct CertificateFiles {
  std::filesystem::path certificate;  // PEM
  std::filesystem::path key;          // PEM, unencrypted
};

// A self-signed CA (CA:TRUE), in dir, named after `name`.
CertificateFiles makeCertificateAuthority(const TempDir& dir, const std::string& name);

// A server certificate signed by `authority`, whose only name is the IP address `ip`.
CertificateFiles makeServerCertificate(const TempDir& dir, const std::string& name, const CertificateFiles& authority,
                                       const std::string& ip = "127.0.0.1");

}  // namespace tribune::testing
