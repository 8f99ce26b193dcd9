#include "core/failure.h"

#include <array>

namespace tribune::core {
namespace {

// Indexed by FailureKind; the order must follow the enum.
constexpr std::array<FailureText, 7> kTexts{{
    {"unreachable", "serveur injoignable", "server unreachable",
     "Vérifiez la connexion Internet de la mairie et l'adresse du serveur.",
     "Check the town hall's Internet connection and the server address."},
    {"key_refused", "clé de stream refusée", "stream key refused",
     "Copiez à nouveau la clé de stream depuis la plateforme (elle a pu expirer), puis « réessayer maintenant ».",
     "Copy the stream key from the platform again (it may have expired), then \"retry now\"."},
    {"tls_rejected", "certificat du serveur refusé", "server certificate rejected",
     "Vérifiez l'adresse rtmps:// et l'heure de l'ordinateur.", "Check the rtmps:// address and the computer's clock."},
    {"connection_lost", "connexion perdue", "connection lost",
     "Tribune se reconnecte tout seul ; si cela dure, vérifiez le débit montant.",
     "Tribune reconnects by itself; if it lasts, check the upload bandwidth."},
    {"stalled", "connexion bloquée", "connection stalled",
     "Le débit montant ne suffit pas : baissez le débit vidéo ou coupez une destination.",
     "The upload is too slow: lower the video bitrate or disable a destination."},
    {"connect_timeout", "pas de réponse du serveur", "no answer from the server",
     "Vérifiez l'adresse et que le pare-feu laisse passer le port 443 ou 1935.",
     "Check the address and that the firewall lets port 443 or 1935 through."},
    {"internal", "erreur interne de Tribune", "internal Tribune error",
     "Consultez le journal de Tribune ; la destination sera relancée.",
     "See Tribune's log; the destination will be restarted."},
}};

}  // namespace

const FailureText& describe(FailureKind kind) { return kTexts.at(static_cast<std::size_t>(kind)); }

}  // namespace tribune::core
