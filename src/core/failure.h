#pragma once
// Why a destination is not live, as a technician reads it: a plain reason and what to do,
// in French first with an English translation, and the technical detail kept beside it.
#include <string>
#include <string_view>

namespace tribune::core {

enum class FailureKind {
  Unreachable,     // TCP or TLS connection could not be made
  KeyRefused,      // the server closed or refused the publish (wrong or expired key)
  TlsRejected,     // certificate not trusted
  ConnectionLost,  // was live, the connection dropped
  Stalled,         // live, but no byte left for the stall timeout
  ConnectTimeout,  // no answer within the connect timeout
  Internal,        // our own pipeline failed
};

struct FailureText {
  std::string_view code;      // stable, for the protocol and tests: "key_refused"
  std::string_view reasonFr;  // "clé de stream refusée"
  std::string_view reasonEn;
  std::string_view adviceFr;  // what to do
  std::string_view adviceEn;
};

const FailureText& describe(FailureKind kind);

struct Failure {
  FailureKind kind = FailureKind::Internal;
  std::string detail;  // technical, already stripped of secrets by the adapter
};

}  // namespace tribune::core
