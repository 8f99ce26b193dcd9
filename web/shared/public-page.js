// Tribune — what the two public pages (web/seance/ and web/viewer/) render alike: the
// header's connection state and session badge, and the "connexion perdue" banner with its
// retry countdown. Their markup is the same in both pages' index.html (data-testid
// connection, banner, banner-detail, session-badge). Plain ES module, as
// tribune-connection.js; served by the town hall's Tribune and by a public edge (/shared/).
import {
  SESSION_LABELS, TribuneConnection, byTestId, nextMeetingText, setText, show, showStandbyNotice,
} from './tribune-connection.js';

// The viewers' link (no token). Both pages keep the same browser id: one citizen, one id.
// In standby (tribune serve, no meeting running) the page shows when the next meeting is, and
// forgets it at the meeting's welcome.
export function viewerConnection({ onWelcome, onMessage, onState }) {
  return new TribuneConnection({
    token: null,
    viewerKey: 'tribune.viewer',
    onWelcome: (message, how) => {
      showStandbyNotice(null);
      onWelcome(message, how);
    },
    onStandby: (message) => showStandbyNotice(nextMeetingText(message.next)),
    onMessage,
    onState,
  });
}

// The connection's state in the header and on <body>; the banner once a connection was lost
// (not while the link renews itself on purpose: link.resync()).
export function renderConnectionStatus(link) {
  const node = byTestId('connection');
  const kind = link.state;
  node.dataset.state = kind;
  document.body.dataset.connection = kind;
  setText(node.querySelector('.connection-text'),
    kind === 'connected' ? 'En ligne' : kind === 'standby' ? 'En veille' : kind === 'connecting' ? (link.everConnected ? 'Reconnexion…' : 'Connexion…') : 'Hors ligne');
  show(byTestId('banner'), link.everConnected && kind !== 'connected' && kind !== 'standby' && !link.resyncing);
  renderRetryBanner(link);
}

// The banner's detail: when the next try comes, and what to check after a few.
export function renderRetryBanner(link) {
  if (!link.everConnected || link.connected || link.standby) return;
  const wait = link.secondsToRetry();
  let text = wait > 0 ? `Nouvel essai dans ${wait} s.` : 'Nouvel essai…';
  if (link.attempt >= 4) text += ' Vérifiez la connexion de votre téléphone (Wi-Fi ou données mobiles).';
  setText(byTestId('banner-detail'), text);
}

// The session's badge in the header and its state on <body> (session: {state, label} or null).
export function renderSessionBadge(session) {
  const badge = byTestId('session-badge');
  const s = session ? session.state : '';
  badge.dataset.state = s;
  document.body.dataset.session = s;
  setText(badge, session ? session.label || SESSION_LABELS[s] || s : '…');
}
