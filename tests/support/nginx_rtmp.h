#pragma once
// A real RTMP ingest on loopback for tests: nginx with the Debian nginx-rtmp module,
// started by the test with its own config, prefix, pid file, logs and recordings in a
// TempDir (never the system service, never /etc/nginx or /var/log/nginx).
//
//   rtmp://127.0.0.1:RTMP/live/KEY    nginx-rtmp, `live on`, every publish recorded to FLV
//   rtmps://127.0.0.1:RTMPS/live/KEY  nginx's stream module terminating TLS with a
//                                     throw-away self-signed certificate (CN=localhost,
//                                     SAN IP:127.0.0.1 + DNS:localhost), proxied to RTMP
//   http://127.0.0.1:NOTIFY/on_publish  the on_publish hook (notify_method get): a publish
//                                     name starting with "refused" gets 403, so nginx-rtmp
//                                     refuses that publish; any other name gets 200
//
// What nginx-rtmp does with recordings (checked with nginx 1.22.1 / libnginx-mod-rtmp 1.2.2):
//   - `record all` + `record_unique on` gives one file per publish session, named
//     KEY-UNIXSECONDS.flv. The suffix has one-second resolution: two sessions of the same
//     name that begin within the same second write the same file (the second truncates the
//     first), so a test that republishes waits for the next second or uses another name.
//   - Each audio/video message is written to the file as it arrives (plain write(2), no
//     user-space buffer), so a recording can be read while the publish goes on: ffprobe
//     reads the prefix that is there (see ffprobe.h). No `record_interval`, no
//     `record_lock` is needed for that.
//   - The file appears when the publish is accepted and stays empty until the first media
//     message, so a just-listed recording may still be 0 bytes.
//   - A refused publish (on_publish answered 4xx) creates no file.
//   - The file is closed when the publish ends (deleteStream, disconnect, or nginx
//     shutting down); waitForRecordingsClosed() tells when that has happened.
//   - A graceful nginx shutdown (SIGQUIT) waits for connected RTMP clients to leave (seen:
//     still up 10 s after SIGQUIT with worker_shutdown_timeout 1s, gone once they left):
//     nginx-rtmp does not act on the shutdown, not even on worker_shutdown_timeout. Hence
//     stop()'s SIGTERM step.
//   - on_publish with the default notify_method (POST) sends the call's fields as a form
//     body; with `notify_method get` they are query arguments ($arg_name, $arg_call...).
//     A 2xx answer accepts the publish; a 4xx makes nginx-rtmp drop the connection (the
//     client sees its publish command fail: rtmp2sink reports "'publish' cmd failed:
//     connection closed remotely").
//
// Cleanup: nginx runs as a child in its own process group, and stop(), kill9() and the
// destructor end master and worker alike. If the test binary itself is SIGKILLed, the
// master dies with it (PR_SET_PDEATHSIG) but its worker may linger on its random ports.
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "support/process.h"
#include "support/temp_dir.h"

namespace tribune::testing {

// One call of the on_publish hook, as nginx's own HTTP server logged it.
struct PublishAttempt {
  std::string name;     // the publish name (the stream key), URL-encoded as nginx-rtmp sent it
  int http_status = 0;  // 200 accepted, 403 refused
};

class NginxRtmp {
 public:
  // Creates the directory and the certificate; does not start nginx (start() does).
  NginxRtmp();
  ~NginxRtmp();  // stop()s nginx if running; the directory goes with it (see TempDir)

  NginxRtmp(const NginxRtmp&) = delete;
  NginxRtmp& operator=(const NginxRtmp&) = delete;

  // Picks free loopback ports on the first call and reuses them afterwards (so a restarted
  // server is where clients left it), writes the config, starts nginx and waits until the
  // RTMP, RTMPS and notify ports accept TCP. Throws std::runtime_error with the error log
  // when nginx exits or is not up within 5 s.
  void start();
  // Ends nginx and waits for it: SIGQUIT (graceful; enough when no RTMP client is
  // connected), after 0.5 s SIGTERM (fast: connections dropped, what was recorded stays),
  // after `grace` more SIGKILL to the whole process group. Does nothing if not running.
  void stop(std::chrono::milliseconds grace = std::chrono::seconds(3));
  // stop() then start(): same ports, same records directory, same certificate.
  void restart();
  // SIGKILL to master and workers at once: the server dies mid-stream, connections reset,
  // nothing is flushed or closed. start() brings it back on the same ports.
  void kill9();
  // SIGSTOP / SIGCONT to nginx's whole process group: connections stay open but nothing
  // is read any more, as when a platform's ingest stalls.
  void freeze();
  void thaw();
  bool running();

  std::uint16_t rtmpPort() const { return rtmp_port_; }
  std::uint16_t rtmpsPort() const { return rtmps_port_; }
  std::uint16_t notifyPort() const { return notify_port_; }

  // rtmp://127.0.0.1:PORT/live/KEY
  std::string rtmpUrl(std::string_view key) const;
  // rtmp://127.0.0.1:PORT/live: the application, for an ingest given as URL and key apart
  std::string rtmpApplicationUrl() const;
  // rtmps://127.0.0.1:PORT/live/KEY (self-signed: the client must not validate, or must
  // trust certificateFile())
  std::string rtmpsUrl(std::string_view key) const;
  // Where a player (ffprobe, ffmpeg, gst rtmp2src) watches KEY live: nginx-rtmp plays and
  // publishes on the same URL.
  std::string playUrl(std::string_view key) const;

  // The FLV files recorded for publish name `key`, oldest session first; the last one may
  // still be growing (see the notes at the top).
  std::vector<std::filesystem::path> recordings(std::string_view key) const;
  // Waits until no nginx process has any of `key`'s recordings open, i.e. every publish
  // of it has ended and its file is complete. False on timeout.
  bool waitForRecordingsClosed(std::string_view key, std::chrono::milliseconds timeout) const;

  // Every on_publish call so far (across restarts), in order.
  std::vector<PublishAttempt> publishAttempts() const;

  // error.log (level info: connects, publishes, notify calls) plus anything nginx wrote to
  // stderr, across restarts.
  std::string errorLog() const;

  const std::filesystem::path& directory() const { return dir_.path(); }
  std::filesystem::path recordsDirectory() const { return dir_ / "records"; }
  std::filesystem::path certificateFile() const { return dir_ / "cert.pem"; }
  std::filesystem::path configFile() const { return dir_ / "nginx.conf"; }

 private:
  void pickPorts();
  void writeConfig() const;
  // One attempt: spawn and wait. Returns false (nginx gone) when a port was taken.
  bool launch();

  TempDir dir_;  // first member: outlives the nginx that writes into it
  std::uint16_t rtmp_port_ = 0;
  std::uint16_t rtmps_port_ = 0;
  std::uint16_t notify_port_ = 0;
  std::optional<Process> nginx_;
};

}  // namespace tribune::testing
