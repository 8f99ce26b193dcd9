// Tribune — the technician's console (docs/PROTOCOL.md). Plain ES module, no dependency,
// no build step. Everything the server sends is shown with textContent: no data ever goes
// through innerHTML. Nothing here is modal: refusals and problems are written in the status
// line, the banner or the panel concerned. The websocket link (hello, resuming, reconnecting,
// commands matched with their results) is the shared one: ../shared/tribune-connection.js.

import {
  TribuneConnection, SESSION_LABELS, sessionFromState, takeToken, forgetToken, byTestId, el, setText, show,
} from '../shared/tribune-connection.js';
import { createMeetings } from './meetings.js';
import { mountPreflight } from './preflight.js';

// ---------------------------------------------------------------------------------------
// Vocabulary (mirrors src/core: session.cpp, agenda.cpp, vote.cpp, overlays.cpp)

const SESSION_HINTS = {
  pre_seance: 'Pré-séance : vérifiez l\'image, le son et les voyants des destinations, puis ouvrez la séance quand le maire la déclare ouverte.',
  seance_ouverte: 'Séance ouverte : le bandeau suit le point en cours. Huis clos coupe aussitôt l\'image et le son de toutes les sorties.',
  suspension: 'Suspension : le carton « suspension » est à l\'antenne ; les questions du public peuvent passer.',
  huis_clos: 'Huis clos : le carton est à l\'antenne et le son est coupé partout. « Fin du huis clos » rétablit la diffusion.',
  seance_levee: 'Séance levée : ouvrez les questions du public, ou terminez la retransmission.',
  questions_public: 'Questions du public : terminez la retransmission quand elles sont finies.',
  terminee: 'Retransmission terminée : le carton de fin est à l\'antenne. Arrêtez Tribune (Ctrl+C) pour finaliser l\'enregistrement.',
};

// The legal transitions (src/core/session.cpp kEdges): a button is enabled only from these.
const SESSION_COMMANDS = [
  { type: 'session.open', testid: 'session-open', label: 'Ouvrir la séance', en: 'open', from: ['pre_seance'], primary: true },
  { type: 'session.suspend', testid: 'session-suspend', label: 'Suspendre', en: 'suspend', from: ['seance_ouverte'] },
  { type: 'session.resume', testid: 'session-resume', label: 'Reprendre', en: 'resume', from: ['suspension'] },
  { type: 'session.huis_clos', testid: 'session-huis-clos', label: 'Huis clos', en: 'closed session', from: ['seance_ouverte'], huisClos: true },
  { type: 'session.leave_huis_clos', testid: 'session-leave-huis-clos', label: 'Fin du huis clos', en: 'end closed session', from: ['huis_clos'], huisClos: true },
  { type: 'session.close', testid: 'session-close', label: 'Lever la séance', en: 'close', from: ['seance_ouverte'], confirm: 'Confirmer : lever la séance' },
  { type: 'session.public_questions', testid: 'session-public-questions', label: 'Questions du public', en: 'public questions', from: ['seance_levee'] },
  { type: 'session.end', testid: 'session-end', label: 'Terminer', en: 'end', from: ['seance_levee', 'questions_public'], confirm: 'Confirmer : terminer' },
];

// Items are navigated until the session is closed (Meeting::navigationRefusal).
const NAVIGATION_CLOSED = new Set(['seance_levee', 'questions_public', 'terminee']);
// Votes are recorded during the sitting only (Meeting::recordVote).
const VOTING_STATES = new Set(['seance_ouverte', 'huis_clos']);

const KIND_LABELS = { deliberation: 'Délibération', information: 'Information', question_diverse: 'Question diverse' };
const CHOICES = [
  { id: 'pour', label: 'Pour', long: 'pour' },
  { id: 'contre', label: 'Contre', long: 'contre' },
  { id: 'abstention', label: 'Abst.', long: 'abstention' },
  { id: 'npp', label: 'NPP', long: 'ne prend pas part' },
];
const RESULT_LABELS = { unanimite: 'adopté à l\'unanimité', adopte: 'adopté', rejete: 'rejeté' };

const LAYERS = [
  { id: 'bug', label: 'Logo et heure', en: 'bug' },
  { id: 'qr', label: 'QR des questions', en: 'QR code' },
  { id: 'lower_third', label: 'Bandeau', en: 'lower third' },
  { id: 'slate', label: 'Carton', en: 'slate' },
];
const TEMPLATE_LABELS = {
  bug: 'logo et heure', qr: 'QR des questions', agenda: 'ordre du jour', speaker: 'intervenant',
  vote: 'résultat du vote', question: 'question du public', starting: 'début imminent',
  suspension: 'suspension', 'huis-clos': 'huis clos', 'signal-lost': 'signal perdu', ended: 'fin de séance',
};
// Slates the technician may put up by hand (huis clos and suspension follow the session).
const MANUAL_SLATES = ['starting', 'signal-lost', 'ended'];

const PHASES = {
  live: { light: 'green', label: 'En direct', en: 'live' },
  connecting: { light: 'amber', label: 'Connexion…', en: 'connecting' },
  retrying: { light: 'amber', label: 'Nouvel essai', en: 'retrying' },
  failed: { light: 'red', label: 'En échec', en: 'failed' },
  idle: { light: 'grey', label: 'À l\'arrêt', en: 'idle' },
};

// Platforms' names for the live-limit warning (ids as in the presets, src/core/platform.cpp).
const PLATFORM_NAMES = { youtube: 'YouTube', facebook: 'Facebook', linkedin: 'LinkedIn', peertube: 'PeerTube', twitch: 'Twitch', x: 'X' };
const LIVE_LIMIT_WARNING_S = 30 * 60;  // core::kLiveLimitWarning

const TOKEN_KEY = 'tribune.console.token';
// Status arrives every second: 2 s of nothing, a ping; 4 s more without an answer (6 s in
// all), the link is dead.
const QUIET_MS = 2000;
const PING_TIMEOUT_MS = 4000;
const CONFIRM_WINDOW_MS = 5000;
const METER_FLOOR_DB = -60;
const CLIP_DB = -1;
const SILENCE_DB = -50;
const SILENCE_WARN_MS = 5000;

// ---------------------------------------------------------------------------------------
// Small helpers (the DOM ones, el, setText and show, are the shared module's)

const clamp = (x, lo, hi) => Math.min(hi, Math.max(lo, x));
const now = () => performance.now();
const frenchNumber = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 1 });
const frenchInteger = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 0 });

function duration(seconds) {
  const s = Math.max(0, Math.floor(seconds || 0));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const pad = (n) => String(n).padStart(2, '0');
  return h > 0 ? `${h} h ${pad(m)} min ${pad(s % 60)} s` : m > 0 ? `${m} min ${pad(s % 60)} s` : `${s} s`;
}

function gigabytes(bytes, locale = frenchNumber) {
  return `${locale.format((bytes || 0) / 1e9)} ${locale === frenchNumber ? 'Go' : 'GB'}`;
}
const englishNumber = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 });

function megabytes(bytes) {
  if (!bytes) return '0 Mo';
  return bytes >= 1e9 ? `${frenchNumber.format(bytes / 1e9)} Go` : `${frenchNumber.format(bytes / 1e6)} Mo`;
}

function meetingDate(date, time) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  let text = date || '';
  if (match) {
    const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
    text = new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' }).format(day);
  }
  return time ? `${text}, ${time.replace(':', ' h ')}` : text;
}

// ---------------------------------------------------------------------------------------
// State

const state = {
  token: null,
  meeting: null,      // the snapshot's meeting part (docs/PROTOCOL.md "The snapshot")
  status: null,       // the last {"type":"status"} push
  connected: false,   // welcomed by the server
  pairing: null,
  busy: new Set(),    // command types waiting for their result
  confirming: new Map(), // command type → timer: armed for a second click
};

// The link to Tribune (../shared/tribune-connection.js); null without a token.
let link = null;
// The meetings of tribune serve (./meetings.js): the standby screen, "Arrêter la séance".
let meetings = null;

// ---------------------------------------------------------------------------------------
// The token comes from the address's fragment (never sent to any server), then is kept for
// this tab: takeToken(TOKEN_KEY).

function showGate(kind) {
  const gate = byTestId('gate');
  const texts = {
    'no-token': ['Ouvrez la console avec son adresse complète',
      'Cette page a besoin de la clé du technicien. Ouvrez l\'adresse affichée dans le terminal par « tribune run » : elle commence par http://127.0.0.1 et se termine par #token=….',
      'Adresse perdue ? « tribune tokens » la redonne. Open the address printed by `tribune run` (it ends with #token=…).'],
    'invalid-token': ['Ce lien n\'est plus valable',
      'Le serveur ne reconnaît pas la clé de cette adresse : les jetons ont peut-être été renouvelés. Rouvrez l\'adresse affichée par « tribune run ».',
      'This link\'s token is not known to the server: open the address printed by `tribune run` again.'],
    'wrong-role': ['Ce lien n\'est pas celui du technicien',
      'Cette adresse ouvre la page du maire ou du modérateur, pas la console. Ouvrez l\'adresse « Console du technicien » affichée par « tribune run ».',
      'This link is not the technician\'s: open the console address printed by `tribune run`.'],
  }[kind];
  setText(gate.querySelector('.gate-title'), texts[0]);
  setText(gate.querySelector('.gate-text'), texts[1]);
  setText(gate.querySelector('.gate-hint'), texts[2]);
  gate.dataset.kind = kind;
  show(gate, true);
  show(byTestId('console'), false);
  show(byTestId('standby'), false);
  show(byTestId('banner'), false);
  show(byTestId('session-badge'), false);
  show(byTestId('status-line'), false);
  setConnection('stopped', 'Non connecté');
}

// ---------------------------------------------------------------------------------------
// The status line: the outcome of each command, in French, never a dialog.

const statusHistory = [];

function say(kind, text) {
  const line = byTestId('status-line');
  const time = new Date().toLocaleTimeString('fr-FR');
  line.dataset.kind = kind;
  setText(line.querySelector('.status-time'), time);
  setText(line.querySelector('.status-text'), text);
  statusHistory.push({ kind, text, time });
  if (statusHistory.length > 50) statusHistory.shift();
  line.title = statusHistory.slice(-10).map((s) => `${s.time} ${s.text}`).join('\n');
}

// ---------------------------------------------------------------------------------------
// The connection

function setConnection(kind, text) {
  const node = byTestId('connection');
  node.dataset.state = kind;
  document.body.dataset.connection = kind;
  setText(node.querySelector('.connection-text'), text);
}

// The link's state changed (../shared/tribune-connection.js): say it, and when the link is
// lost, say what happens next.
function onLinkState(kind) {
  const wasConnected = state.connected;
  state.connected = kind === 'connected';
  if (kind === 'connected' || kind === 'standby') return;  // onWelcome or onStandby follows at once
  if (kind === 'stopped') {
    setConnection('stopped', 'Non connecté');
    return;
  }
  if (kind === 'connecting') {
    setConnection('connecting', link.everConnected ? 'Reconnexion…' : 'Connexion…');
    return;
  }
  // lost
  if (wasConnected) {
    say('error', 'Connexion au serveur perdue : reconnexion automatique en cours. Les commandes reprendront dès le retour de la connexion.');
  }
  setConnection('lost', 'Déconnecté');
  if (link.everConnected) show(byTestId('banner'), true);
  renderBanner();
  renderAll();
}

function renderBanner() {
  const detail = byTestId('banner-detail');
  if (!link || !link.everConnected || state.connected) return;
  const wait = link.secondsToRetry();
  let text = link.retryTimer ? (wait > 0 ? `Nouvel essai dans ${wait} s.` : 'Nouvel essai…') : 'Essai en cours…';
  if (link.attempt >= 4) {
    text += ' Tribune est-il toujours lancé ? Regardez le terminal du PC de diffusion. La diffusion et l\'enregistrement ne dépendent pas de cette page.';
  }
  setText(detail, text);
}

// Every message but welcomes and results (the link matches those with their commands).
function onMessage(message) {
  switch (message.type) {
    case 'event': onEvent(message); break;
    case 'status': state.status = message; renderStatus(); break;
    case 'levels': onLevels(message); break;
    case 'loudness': onLoudness(message); break;
    case 'error':  // without a command's id: too many messages, say
      say('error', message.message || `Message refusé par le serveur (${message.status || message.code}).`);
      renderAll();
      break;
    default: break;  // pong and anything newer
  }
}

// tribune serve with no meeting running (docs/SCHEDULE.md): the meetings instead of the
// console's panels, until the server closes the link when one starts.
function onStandby(message, { reconnected }) {
  if (message.role !== 'technician') {
    link.stop();
    showGate('wrong-role');
    return;
  }
  show(byTestId('banner'), false);
  setConnection('standby', 'En veille');
  const badge = byTestId('session-badge');
  badge.dataset.state = 'standby';
  setText(badge, 'En veille');
  setText(byTestId('meeting-title'), '');
  setText(byTestId('meeting-when'), '');
  state.meeting = null;
  state.status = null;
  meetings.standby(message);
  say(reconnected ? 'ok' : 'info', 'Tribune est en veille : aucune séance en cours, rien n\'est capté ni diffusé.');
}

function onWelcome(message, { resumed, reconnected }) {
  if (message.role !== 'technician') {
    link.stop();
    showGate('wrong-role');
    return;
  }
  meetings.meeting(message.serve === true);
  if (!resumed) {
    applySnapshot(message.snapshot);
  } else {
    // Resumed: the missed events follow; fetch the whole picture too, to be sure.
    scheduleRefresh();
  }
  show(byTestId('banner'), false);
  setConnection('connected', 'Connecté');
  if (reconnected) {
    const away = link.lostAt ? Math.round((Date.now() - link.lostAt) / 1000) : 0;
    say('ok', `Connexion rétablie${away > 0 ? ` après ${duration(away)}` : ''}.`);
  } else {
    say('info', 'Connecté à Tribune.');
  }
  if (!state.pairing) loadPairing();
  renderAll();
}

// ---------------------------------------------------------------------------------------
// The meeting: the snapshot, then each event applied as it comes. A snapshot is fetched
// again after events (GET /api/snapshot) so that the page always ends on the server's word.

let eventsSeen = 0;

function applySnapshot(snapshot) {
  const { status, ...meeting } = snapshot;
  state.meeting = meeting;
  if (status) state.status = status;
}

// Each event once: the link drops one seen already.
function onEvent(message) {
  eventsSeen += 1;
  if (state.meeting && message.event) applyEvent(state.meeting, message.event);
  renderMeeting();
  scheduleRefresh();
}

function applyEvent(m, event) {
  const data = event.data || {};
  switch (event.type) {
    case 'session_changed':
      m.session = sessionFromState(data.to);
      break;
    case 'item_changed': {
      const item = m.agenda && m.agenda.items ? m.agenda.items[data.index] : null;
      m.current_item = item ? { index: data.index, ...item } : null;
      break;
    }
    case 'vote_recorded':
      m.votes = m.votes || {};
      if (data.item !== undefined) m.votes[String(data.item)] = data;
      break;
    case 'speaker_changed': {
      const found = (m.agenda && m.agenda.councillors || []).find((c) => c.id === data.councillor);
      m.speaker = found ? { ...found } : null;
      break;
    }
    case 'overlay_shown':
    case 'overlay_updated':
    case 'overlay_hidden':
      m.overlays = m.overlays || {};
      m.overlays[data.layer] = { visible: event.type !== 'overlay_hidden', template: data.template || '', values: data.values || {} };
      break;
    case 'agenda_loaded':
      if (data.agenda) m.agenda = data.agenda;
      break;
    default:
      break;  // meeting_created and the rest: the snapshot that follows tells
  }
}

let refreshTimer = null;
let refreshing = false;
let refreshAgain = false;

function scheduleRefresh() {
  if (refreshTimer) return;
  refreshTimer = setTimeout(() => {
    refreshTimer = null;
    refreshSnapshot();
  }, 80);
}

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
  return fetch(path, { ...options, headers, cache: 'no-store' });
}

async function refreshSnapshot() {
  if (refreshing) {
    refreshAgain = true;
    return;
  }
  refreshing = true;
  const before = eventsSeen;
  try {
    const response = await api('/api/snapshot');
    if (response.status === 401) {
      link.stop();
      forgetToken(TOKEN_KEY);
      showGate('invalid-token');
      return;
    }
    if (response.ok) {
      const snapshot = await response.json();
      // An event that came meanwhile may be newer than this snapshot: ask again.
      if (eventsSeen === before) {
        applySnapshot(snapshot);
        renderAll();
      } else {
        refreshAgain = true;
      }
    }
  } catch {
    // The websocket says when the server is gone; nothing to add here.
  } finally {
    refreshing = false;
    if (refreshAgain) {
      refreshAgain = false;
      scheduleRefresh();
    }
  }
}

// ---------------------------------------------------------------------------------------
// Commands: sent over the link, which matches each result with its command.

const SUCCESS_TEXT = {
  'session.open': () => 'Séance ouverte.',
  'session.suspend': () => 'Séance suspendue : le carton « suspension » est à l\'antenne.',
  'session.resume': () => 'Séance reprise.',
  'session.huis_clos': () => 'Huis clos : image remplacée par le carton, son coupé sur toutes les sorties.',
  'session.leave_huis_clos': () => 'Fin du huis clos : la diffusion normale reprend.',
  'session.close': () => 'Séance levée.',
  'session.public_questions': () => 'Questions du public ouvertes.',
  'session.end': () => 'Retransmission terminée.',
  'agenda.next': (d) => `Point ${d.number} en cours.`,
  'agenda.previous': (d) => `Point ${d.number} en cours.`,
  'agenda.jump': (d) => `Point ${d.number} en cours.`,
  'vote.record': (d) => `Vote du point ${d.item} enregistré : ${RESULT_LABELS[d.result] || d.result || 'enregistré'}.`,
  'speaker.show': () => 'Intervenant à l\'antenne.',
  'speaker.hide': () => 'Intervenant retiré de l\'antenne.',
  'overlay.show': () => 'Graphisme affiché.',
  'overlay.update': () => 'Graphisme mis à jour.',
  'overlay.hide': () => 'Graphisme masqué.',
  'broadcast.start': () => 'Diffusion démarrée : les destinations se connectent.',
  'broadcast.stop': () => 'Diffusion arrêtée : plus rien n\'est envoyé aux plateformes (l\'enregistrement continue).',
  'destination.retry': (d, p) => `Nouvel essai de « ${p.name} » lancé.`,
  'destination.enable': (d, p) => `Destination « ${p.name} » ${p.enabled ? 'activée' : 'désactivée'}.`,
  'loudness.mode': (d) => LOUDNESS_MODES[d.mode] || 'Gain automatique modifié.',
  'destination.add': (d, p) => `Destination « ${p.name || p.platform} » ajoutée pour cette séance.`,
  'account.link': (d, p) => `Liaison du compte ${PLATFORM_NAMES[p.platform] || p.platform} demandée : suivez le code affiché.`,
  'account.unlink': (d, p) => `Compte ${PLATFORM_NAMES[p.platform] || p.platform} délié.`,
  'lives.prepare': () => 'Préparation des directs demandée aux plateformes.',
  'lives.end': () => 'Fin des directs demandée aux plateformes.',
  'platform.watch': (d, p) => `Tribune lit maintenant les questions de ce direct ${PLATFORM_NAMES[p.platform] || p.platform}.`,
};

const ACCOUNT_STATES = {
  not_linked: ['Non relié', 'not linked'],
  linking: ['Liaison en cours', 'linking'],
  linked: ['Relié', 'linked'],
  reconnect: ['À reconnecter', 'to be reconnected'],
};
const LIVE_STATES = {
  none: ['Pas de direct préparé', 'no live prepared'],
  preparing: ['Direct en préparation…', 'preparing the live'],
  ready: ['Direct prêt', 'live ready'],
  failed: ['Direct non préparé', 'live not prepared'],
  ended: ['Direct terminé', 'live ended'],
};

// Only web addresses become links: a platform's answer is not trusted with javascript: or data:.
function webLink(url, testid) {
  if (typeof url !== 'string' || !/^https?:\/\//i.test(url)) return null;
  return el('a', { href: url, target: '_blank', rel: 'noopener noreferrer', testid, text: url });
}

// The chat poller's states (issue 21): the sentence is the server's (`chat.label`); this only
// picks how loud it is.
const CHAT_SEVERITIES = {
  off: 'quiet', waiting: 'quiet', live: 'ok', retrying: 'warning', quota: 'error', reconnect: 'error', ended: 'quiet',
};

function chatLine(id, chat) {
  const received = Number(chat.received) || 0;
  const questions = Number(chat.questions) || 0;
  const counts = `${frenchInteger.format(received)} message${received > 1 ? 's' : ''} lu${received > 1 ? 's' : ''}, `
    + `dont ${frenchInteger.format(questions)} question${questions > 1 ? 's' : ''}`;
  return el('p', { class: 'chat-state', testid: `chat-state-${id}`,
    dataset: { state: String(chat.state), severity: CHAT_SEVERITIES[chat.state] || 'warning' } },
  el('span', { class: 'chat-title' }, 'Questions du direct : '),
  el('span', { class: 'chat-label', testid: `chat-label-${id}`, text: String(chat.label || chat.state || '') }), ' ',
  el('span', { class: 'en', lang: 'en', text: String(chat.label_en || '') }),
  el('span', { class: 'chat-counts', testid: `chat-counts-${id}`, text: ` — ${counts}.` }));
}

// The platform's rows and their "live created by hand" forms are kept across the status
// pushes (one a second): what the technician is typing, and the focus, survive them.
const platformRows = new Map();  // platform id → {root, body, form}

function watchForm(id) {
  const name = PLATFORM_NAMES[id] || id;
  const input = el('input', { type: 'text', id: `watch-address-${id}`, testid: `watch-address-${id}`, autocomplete: 'off',
    spellcheck: 'false', placeholder: `adresse ou identifiant du direct ${name}` });
  const button = el('button', { type: 'submit', testid: `watch-submit-${id}` },
    'Lire ses questions', el('span', { class: 'en', lang: 'en', text: 'read its questions' }));
  const feedback = el('p', { class: 'watch-feedback', testid: `watch-feedback-${id}`, role: 'status', hidden: true });
  const form = el('form', { class: 'watch', testid: `watch-${id}`, novalidate: true },
    el('label', { for: input.id }, 'Direct créé à la main : collez son adresse ou son identifiant ',
      el('span', { class: 'en', lang: 'en', text: 'a live created by hand: paste its address or id' })),
    el('div', { class: 'watch-row' }, input, button), feedback);
  const answer = (severity, text) => {
    feedback.dataset.severity = severity;
    setText(feedback, text);
    show(feedback, Boolean(text));
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const address = input.value.trim();
    if (!address) {
      answer('error', `Collez d'abord l'adresse du direct ${name} (ou son identifiant).`);
      input.focus();
      return;
    }
    answer('', '');
    send('platform.watch', { platform: id, address }, {
      onDone: (message) => {
        if (message.status === 'ok') {
          input.value = '';
          answer('ok', SUCCESS_TEXT['platform.watch']({}, { platform: id }));
        } else {
          answer('error', message.message || `Adresse refusée (${message.status || message.code}).`);
          input.focus();
        }
      },
    });
  });
  form.button = button;
  return form;
}

function platformRow(id) {
  let row = platformRows.get(id);
  if (!row) {
    const body = el('div', { class: 'account-body' });
    const form = watchForm(id);
    row = { root: el('div', { class: 'account', testid: `account-${id}` }, body, form), body, form };
    platformRows.set(id, row);
  }
  return row;
}

function renderPlatforms(platforms) {
  const panel = byTestId('accounts');
  const list = Array.isArray(platforms) ? platforms : [];
  show(panel, list.length > 0);
  if (list.length === 0) return;
  const container = byTestId('accounts-list');
  const rows = list.map((p) => {
    const id = String(p.platform);
    const account = p.account || {};
    const live = p.live || {};
    const [stateFr, stateEn] = ACCOUNT_STATES[account.state] || [String(account.state), ''];
    const linked = account.state === 'linked';
    const linking = account.state === 'linking';
    const children = [
      el('h3', {}, p.name || PLATFORM_NAMES[id] || id),
      el('p', { class: 'account-state', testid: `account-state-${id}`, dataset: { state: String(account.state) } },
        stateFr, linked && account.name ? ` : ${account.name}` : '', ' ', el('span', { class: 'en', lang: 'en', text: stateEn })),
    ];
    if (account.why) {
      children.push(el('p', { class: 'alert', testid: `account-why-${id}` }, account.why, ' ',
        el('span', { class: 'en', lang: 'en', text: account.why_en || '' })));
    }
    if (linking && account.user_code) {
      const svg = safeSvg(account.verification_qr_svg);
      children.push(el('div', { class: 'device-code', testid: `account-code-${id}` },
        el('p', {}, 'Sur un téléphone, ouvrez ', webLink(account.verification_url, `account-url-${id}`) || String(account.verification_url || ''),
          ' et saisissez le code :'),
        el('p', { class: 'user-code', testid: `account-user-code-${id}`, text: account.user_code }),
        svg ? el('div', { class: 'qr' }, svg) : null));
    }
    const buttons = el('div', { class: 'account-buttons' },
      el('button', { type: 'button', testid: `account-link-${id}`, disabled: commandDisabled('account.link') || linking,
        onclick: () => send('account.link', { platform: id }) }, linked ? 'Relier un autre compte' : account.state === 'reconnect' ? 'Reconnecter' : 'Relier le compte'),
      linked || account.state === 'reconnect'
        ? el('button', { type: 'button', testid: `account-unlink-${id}`, disabled: commandDisabled('account.unlink'),
          onclick: () => send('account.unlink', { platform: id }) }, 'Délier') : null);
    children.push(buttons);
    const [liveFr, liveEn] = LIVE_STATES[live.state] || [String(live.state), ''];
    const liveLine = el('p', { class: 'live-state', testid: `live-state-${id}`, dataset: { state: String(live.state) } },
      liveFr, ' ', el('span', { class: 'en', lang: 'en', text: liveEn }));
    children.push(liveLine);
    const link = webLink(live.url, `live-url-${id}`);
    if (link) children.push(el('p', { class: 'live-url' }, 'Lien public : ', link));
    if (live.error) children.push(el('p', { class: 'alert', testid: `live-error-${id}`, text: live.error }));
    if (p.viewers !== null && p.viewers !== undefined) {
      children.push(el('p', { class: 'facts', testid: `viewers-${id}` },
        `${frenchInteger.format(p.viewers)} spectateurs en ce moment (pic : ${frenchInteger.format(p.peak_viewers || 0)})`));
    }
    if (p.quota) {
      const q = p.quota;
      const reset = new Date(q.next_reset * 1000).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
      children.push(el('p', { class: q.exhausted ? 'alert' : 'facts', testid: `quota-${id}` },
        q.exhausted ? `Quota YouTube épuisé : reprise à ${reset}.`
          : `Quota YouTube : ${frenchInteger.format(q.remaining)} unités sur ${frenchInteger.format(q.daily)} (remise à zéro à ${reset}).`));
    }
    if (p.chat && typeof p.chat === 'object') children.push(chatLine(id, p.chat));
    const row = platformRow(id);
    row.body.replaceChildren(...children);
    row.form.button.disabled = commandDisabled('platform.watch');
    return row.root;
  });
  const same = rows.length === container.children.length && rows.every((row, i) => container.children[i] === row);
  if (!same) container.replaceChildren(...rows);
  const prepare = byTestId('lives-prepare');
  prepare.disabled = commandDisabled('lives.prepare') || !list.some((p) => p.account && p.account.state === 'linked');
}

// `onDone(message)`, when given, also hears the command's outcome: its result, its error, or
// the link's own {status: 'timeout' | 'connection_lost' | 'not_connected', message} (the
// status line says it in every case). Returns whether the command left.
function send(type, params = {}, { onDone } = {}) {
  if (!link || !link.connected) {
    say('error', 'Pas de connexion au serveur : la commande n\'a pas été envoyée. Reconnexion en cours…');
    return false;
  }
  state.busy.add(type);
  renderAll();
  link.send(type, params).then((message) => commandDone(type, params, message, onDone));
  return true;
}

function commandDone(type, params, message, onDone) {
  state.busy.delete(type);
  if (message.status === 'ok') {
    const text = SUCCESS_TEXT[type];
    say('ok', text ? text(message.data || {}, params) : 'Fait.');
  } else if (message.status === 'timeout') {
    say('error', 'Le serveur n\'a pas répondu à la commande en 10 s : vérifiez le terminal de Tribune, puis réessayez.');
  } else if (message.status !== 'connection_lost') {  // the lost link says it already
    const refused = message.type === 'error' ? 'Message refusé par le serveur' : 'Commande refusée';
    say('error', message.message || `${refused} (${message.status || message.code}).`);
  }
  if (onDone) onDone(message);
  renderAll();
}

// A button for an action that cannot be undone asks for a second click within 5 s.
function armOrSend(command, params) {
  if (!command.confirm) {
    send(command.type, params);
    return;
  }
  if (state.confirming.has(command.type)) {
    clearTimeout(state.confirming.get(command.type));
    state.confirming.delete(command.type);
    send(command.type, params);
    return;
  }
  state.confirming.set(command.type, setTimeout(() => {
    state.confirming.delete(command.type);
    renderAll();
  }, CONFIRM_WINDOW_MS));
  say('info', `${command.confirm} ? Cliquez une seconde fois dans les 5 s pour confirmer.`);
  renderAll();
}

// ---------------------------------------------------------------------------------------
// Rendering

function sessionState() {
  return state.meeting && state.meeting.session ? state.meeting.session.state : '';
}

function renderAll() {
  renderMeeting();
  renderStatus();
}

function renderMeeting() {
  renderHeader();
  renderSession();
  renderAgenda();
  renderVote();
  renderSpeaker();
  renderLayers();
}

function renderHeader() {
  const m = state.meeting;
  const meeting = m && m.agenda ? m.agenda.meeting || {} : {};
  setText(byTestId('commune'), meeting.commune || 'Tribune');
  setText(byTestId('meeting-title'), meeting.title || '');
  const when = [meetingDate(meeting.date, meeting.time), meeting.place].filter(Boolean).join(' — ');
  setText(byTestId('meeting-when'), when);
  document.title = `${meeting.commune ? `${meeting.commune} — ` : ''}Console Tribune`;
  const badge = byTestId('session-badge');
  const s = sessionState();
  badge.dataset.state = s;
  document.body.dataset.session = s;
  setText(badge, m && m.session ? m.session.label || SESSION_LABELS[s] || s : '…');
  show(byTestId('huis-clos-bar'), s === 'huis_clos');
  const paused = state.status && state.status.recording && state.status.recording.paused;
  setText(document.querySelector('.huis-clos-recording'), paused ? ', l\'enregistrement est en pause' : '');
}

function commandDisabled(type) {
  return !state.connected || state.busy.has(type);
}

let sessionButtons = null;

function renderSession() {
  const container = byTestId('session-buttons');
  if (!sessionButtons) {
    sessionButtons = SESSION_COMMANDS.map((command) => {
      const button = el('button', {
        type: 'button',
        testid: command.testid,
        class: [command.primary ? 'primary' : '', command.huisClos ? 'huis-clos' : '', command.confirm ? 'irreversible' : ''].join(' ').trim(),
        onclick: () => armOrSend(command, {}),
      }, el('span', { class: 'label' }), el('span', { class: 'en', lang: 'en', text: command.en }));
      container.append(button);
      return { command, button };
    });
  }
  const s = sessionState();
  for (const { command, button } of sessionButtons) {
    const legal = command.from.includes(s);
    button.disabled = !legal || commandDisabled(command.type);
    const armed = state.confirming.has(command.type) && legal;
    button.classList.toggle('armed', armed);
    setText(button.querySelector('.label'), armed ? `${command.confirm} ?` : command.label);
    button.title = legal ? '' : `Pas possible depuis l'état « ${SESSION_LABELS[s] || s} ».`;
  }
  setText(byTestId('session-hint'), SESSION_HINTS[s] || '');
}

let agendaKey = '';

function renderAgenda() {
  const m = state.meeting;
  const items = m && m.agenda ? m.agenda.items || [] : [];
  const current = m ? m.current_item : null;
  const index = current ? current.index : -1;
  const s = sessionState();
  const closed = NAVIGATION_CLOSED.has(s);
  const busy = state.busy.has('agenda.next') || state.busy.has('agenda.previous') || state.busy.has('agenda.jump');
  const list = byTestId('agenda-list');
  const key = JSON.stringify([items, index, m ? m.votes : null, closed, busy, state.connected]);
  const previous = byTestId('agenda-previous');
  const next = byTestId('agenda-next');
  previous.disabled = !state.connected || closed || busy || index <= 0;
  next.disabled = !state.connected || closed || busy || items.length === 0 || index >= items.length - 1;
  const hint = byTestId('agenda-hint');
  if (items.length === 0) {
    setText(hint, 'L\'ordre du jour est vide : indiquez le fichier de l\'ordre du jour (clé « agenda » de tribune.json) et relancez Tribune.');
  } else if (closed) {
    setText(hint, 'La séance est levée : le point en cours ne change plus.');
  } else {
    setText(hint, s === 'pre_seance' ? 'Avant l\'ouverture, choisir un point prépare le bandeau ; il passe à l\'antenne à l\'ouverture.' : '');
  }
  show(hint, hint.textContent !== '');
  if (key === agendaKey) return;
  const changedItem = !agendaKey || JSON.parse(agendaKey)[1] !== index;
  agendaKey = key;
  list.replaceChildren(...items.map((item, i) => {
    const vote = m.votes ? m.votes[item.number] : null;
    const isCurrent = i === index;
    const kind = item.kind || 'deliberation';
    const button = el('button', {
      type: 'button',
      class: 'agenda-item',
      testid: 'agenda-item',
      dataset: { number: item.number, current: String(isCurrent) },
      'aria-current': isCurrent ? 'true' : null,
      disabled: !state.connected || closed || busy || isCurrent,
      title: isCurrent ? 'Point en cours' : 'Passer à ce point',
      onclick: () => send('agenda.jump', { number: item.number }),
    },
    el('span', { class: 'number', text: item.number }),
    el('span', { class: 'item-text' },
      el('span', { class: 'item-title', text: item.title }),
      el('span', { class: 'item-meta' },
        item.rapporteur ? el('span', { class: 'rapporteur', text: item.rapporteur }) : null,
        kind !== 'deliberation' ? el('span', { class: 'tag', text: KIND_LABELS[kind] || kind }) : null,
        vote ? el('span', { class: `tag vote-tag ${vote.result}`, text: RESULT_LABELS[vote.result] || vote.result }) : null)),
    isCurrent ? el('span', { class: 'current-tag', text: 'en cours' }) : null);
    return el('li', { class: isCurrent ? 'current' : '' }, button);
  }));
  if (changedItem) {
    const currentNode = list.querySelector('li.current');
    if (currentNode) currentNode.scrollIntoView({ block: 'nearest' });
  }
}

// --- vote ---

let voteFormKey = '';

function renderVote() {
  const body = document.querySelector('.vote-body');
  const m = state.meeting;
  const item = m ? m.current_item : null;
  const s = sessionState();
  const councillors = m && m.agenda ? m.agenda.councillors || [] : [];
  const kind = item ? item.kind || 'deliberation' : '';
  let reason = '';
  if (!item) reason = 'Aucun point en cours : le vote se saisit sur le point en cours.';
  else if (kind !== 'deliberation') reason = `Le point ${item.number} est une ${(KIND_LABELS[kind] || kind).toLowerCase()} : seules les délibérations sont votées.`;
  else if (!VOTING_STATES.has(s)) reason = 'Le vote se saisit pendant la séance (ouverte ou à huis clos).';
  const key = reason ? `none:${reason}` : `item:${item.number}:${councillors.map((c) => c.id).join(',')}`;
  if (key !== voteFormKey) {
    voteFormKey = key;
    body.replaceChildren(reason ? el('p', { class: 'hint', testid: 'vote-unavailable', text: reason }) : buildVoteForm(item, councillors));
  }
  if (reason) return;
  const recorded = m.votes ? m.votes[item.number] : null;
  const summary = body.querySelector('[data-testid="vote-recorded"]');
  if (recorded) {
    const c = recorded.counts || {};
    setText(summary, `Enregistré : ${RESULT_LABELS[recorded.result] || recorded.result} — ${c.pour || 0} pour, ${c.contre || 0} contre, ${c.abstention || 0} abstention(s), ${c.npp || 0} ne prend pas part${recorded.huis_clos ? ' (à huis clos : pas à l\'antenne)' : ''}.`);
  }
  show(summary, Boolean(recorded));
  const submit = body.querySelector('[data-testid="vote-submit"]');
  submit.disabled = commandDisabled('vote.record');
  setText(submit, recorded ? 'Corriger le vote' : 'Enregistrer le vote');
  setText(body.querySelector('.vote-huis-clos'), s === 'huis_clos' ? 'À huis clos, le vote est enregistré mais n\'est pas affiché à l\'antenne.' : '');
}

function buildVoteForm(item, councillors) {
  const recorded = state.meeting.votes ? state.meeting.votes[item.number] : null;
  const form = el('form', { class: 'vote-form', testid: 'vote-form', novalidate: true });
  const ballotName = `ballot-${item.number}`;
  const ballot = recorded && recorded.ballot === 'secret' ? 'secret' : (councillors.length ? 'public' : 'secret');
  const publicRadio = el('input', { type: 'radio', name: ballotName, value: 'public', testid: 'vote-ballot-public', checked: ballot === 'public', disabled: councillors.length === 0 });
  const secretRadio = el('input', { type: 'radio', name: ballotName, value: 'secret', testid: 'vote-ballot-secret', checked: ballot === 'secret' });
  const counter = el('span', { class: 'vote-count', testid: 'vote-count' });

  const rows = councillors.map((c) => {
    const chosen = recorded && recorded.choices ? recorded.choices[c.id] : undefined;
    return el('tr', { dataset: { councillor: c.id } },
      el('th', { scope: 'row', title: [c.role, c.group].filter(Boolean).join(' — ') }, c.name),
      CHOICES.map((choice) => el('td', {},
        el('label', { class: `choice ${choice.id}`, title: choice.long },
          el('input', { type: 'radio', name: `v-${item.number}-${c.id}`, value: choice.id, testid: `vote-choice-${c.id}-${choice.id}`, checked: chosen === choice.id }),
          el('span', { text: choice.label })))));
  });
  const table = el('table', { class: 'vote-table', testid: 'vote-public' },
    el('thead', {}, el('tr', {}, el('th', { scope: 'col', text: 'Conseiller' }), CHOICES.map((c) => el('th', { scope: 'col', title: c.long, text: c.label })))),
    el('tbody', {}, rows));

  const countInputs = CHOICES.map((choice) => el('label', { class: 'count' },
    el('span', { text: choice.long }),
    el('input', { type: 'number', min: '0', max: '100000', step: '1', inputmode: 'numeric', name: choice.id, testid: `vote-count-${choice.id}`, value: recorded && recorded.ballot === 'secret' ? String((recorded.counts || {})[choice.id] || 0) : '0' })));
  const secretBox = el('div', { class: 'vote-secret', testid: 'vote-secret' }, countInputs);

  const updateCount = () => {
    const set = councillors.filter((c) => form.querySelector(`input[name="v-${CSS.escape(item.number)}-${CSS.escape(c.id)}"]:checked`)).length;
    setText(counter, `${set} / ${councillors.length} renseigné${set > 1 ? 's' : ''}`);
  };
  const updateBallot = () => {
    const isPublic = publicRadio.checked;
    show(publicTools, isPublic);
    show(table, isPublic);
    show(secretBox, !isPublic);
  };
  const allPour = el('button', { type: 'button', testid: 'vote-all-pour', class: 'small', text: 'Tous pour' });
  allPour.addEventListener('click', () => {
    for (const input of form.querySelectorAll('input[value="pour"][type="radio"]')) {
      if (input.name.startsWith('v-')) input.checked = true;
    }
    updateCount();
  });
  const clear = el('button', { type: 'button', testid: 'vote-clear', class: 'small quiet', text: 'Effacer' });
  clear.addEventListener('click', () => {
    for (const input of form.querySelectorAll('input[type="radio"]')) if (input.name.startsWith('v-')) input.checked = false;
    updateCount();
  });
  const publicTools = el('div', { class: 'vote-tools' }, allPour, clear, counter);

  form.append(
    el('p', { class: 'vote-item' }, el('span', { class: 'number', text: item.number }), el('span', { class: 'vote-item-title', text: item.title })),
    el('p', { class: 'vote-recorded', testid: 'vote-recorded', hidden: true }),
    el('div', { class: 'ballot' },
      el('label', {}, publicRadio, ' Scrutin public'),
      el('label', {}, secretRadio, ' Scrutin secret')),
    publicTools, table, secretBox,
    el('p', { class: 'hint vote-huis-clos' }),
    el('div', { class: 'vote-actions' },
      el('button', { type: 'submit', class: 'primary', testid: 'vote-submit', text: 'Enregistrer le vote' })));
  form.addEventListener('change', (event) => {
    if (event.target.name === ballotName) updateBallot();
    else updateCount();
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    submitVote(form, item, councillors, publicRadio.checked);
  });
  updateBallot();
  updateCount();
  return form;
}

function submitVote(form, item, councillors, isPublic) {
  if (isPublic) {
    const choices = {};
    for (const c of councillors) {
      const checked = form.querySelector(`input[name="v-${CSS.escape(item.number)}-${CSS.escape(c.id)}"]:checked`);
      if (checked) choices[c.id] = checked.value;
    }
    if (Object.keys(choices).length === 0) {
      say('error', 'Aucun choix coché : indiquez le vote d\'au moins un conseiller (ou « Tous pour »).');
      return;
    }
    send('vote.record', { item: item.number, ballot: 'public', choices });
    return;
  }
  const counts = {};
  let total = 0;
  for (const choice of CHOICES) {
    const input = form.querySelector(`input[name="${choice.id}"]`);
    const value = Number(input.value || 0);
    if (!Number.isInteger(value) || value < 0) {
      say('error', `Le décompte « ${choice.long} » doit être un nombre entier positif ou nul.`);
      input.focus();
      return;
    }
    counts[choice.id] = value;
    total += value;
  }
  if (total === 0) {
    say('error', 'Tous les décomptes sont à zéro : saisissez le résultat du scrutin.');
    return;
  }
  send('vote.record', { item: item.number, ballot: 'secret', counts });
}

// --- speaker ---

let speakerKey = '';

function renderSpeaker() {
  const m = state.meeting;
  const councillors = m && m.agenda ? m.agenda.councillors || [] : [];
  const select = byTestId('speaker-select');
  const key = JSON.stringify(councillors);
  if (key !== speakerKey) {
    speakerKey = key;
    const chosen = select.value;
    select.replaceChildren(
      el('option', { value: '', text: councillors.length ? '— Choisir un conseiller —' : '— Aucun conseiller dans l\'ordre du jour —' }),
      ...councillors.map((c) => el('option', { value: c.id, text: c.role ? `${c.name} — ${c.role}` : c.name })));
    select.value = councillors.some((c) => c.id === chosen) ? chosen : '';
  }
  const speaker = m ? m.speaker : null;
  setText(byTestId('speaker-current'), speaker ? `À l'antenne : ${speaker.name}${speaker.role ? ` (${speaker.role})` : ''}` : 'Aucun intervenant à l\'antenne.');
  const s = sessionState();
  const showButton = byTestId('speaker-show');
  showButton.disabled = commandDisabled('speaker.show') || !select.value || s === 'huis_clos';
  showButton.title = s === 'huis_clos' ? 'Pas d\'intervenant à l\'antenne pendant le huis clos.' : '';
  byTestId('speaker-hide').disabled = commandDisabled('speaker.hide') || !speaker;
}

// --- graphics layers ---

let layerRows = null;

function renderLayers() {
  const container = byTestId('layers');
  if (!layerRows) {
    layerRows = new Map();
    for (const layer of LAYERS) {
      const stateText = el('span', { class: 'layer-state' });
      const error = el('span', { class: 'layer-error', hidden: true });
      const showButton = el('button', { type: 'button', class: 'small', testid: `layer-${layer.id}-show`, text: 'Afficher' });
      const hideButton = el('button', { type: 'button', class: 'small', testid: `layer-${layer.id}-hide`, text: 'Masquer' });
      let slateSelect = null;
      if (layer.id === 'slate') {
        slateSelect = el('select', { class: 'small', testid: 'layer-slate-template', 'aria-label': 'Carton à afficher' },
          MANUAL_SLATES.map((t) => el('option', { value: t, text: TEMPLATE_LABELS[t] })));
      }
      showButton.addEventListener('click', () => showLayer(layer.id, slateSelect));
      hideButton.addEventListener('click', () => send('overlay.hide', { layer: layer.id }));
      const row = el('div', { class: 'layer', testid: `layer-${layer.id}` },
        el('span', { class: 'layer-light', 'aria-hidden': 'true' }),
        el('span', { class: 'layer-name' }, layer.label, ' ', el('span', { class: 'en', lang: 'en', text: layer.en })),
        stateText,
        el('span', { class: 'layer-buttons' }, slateSelect, showButton, hideButton),
        error);
      container.append(row);
      layerRows.set(layer.id, { row, stateText, error, showButton, hideButton, slateSelect });
    }
  }
  const m = state.meeting;
  const overlays = m ? m.overlays || {} : {};
  const statusLayers = state.status && state.status.layers ? state.status.layers : {};
  const s = sessionState();
  for (const layer of LAYERS) {
    const r = layerRows.get(layer.id);
    const o = overlays[layer.id] || { visible: false, template: '' };
    r.row.dataset.visible = String(Boolean(o.visible));
    r.row.dataset.template = o.visible ? o.template || '' : '';
    setText(r.stateText, o.visible ? `Affiché : ${TEMPLATE_LABELS[o.template] || o.template}` : 'Masqué');
    const problem = statusLayers[layer.id] && statusLayers[layer.id].error;
    setText(r.error, problem ? `Erreur de rendu : ${problem}` : '');
    show(r.error, Boolean(problem));
    let canShow = !commandDisabled('overlay.show');
    if (layer.id === 'qr') canShow = canShow && Boolean(o.values && o.values.url);
    if (layer.id === 'lower_third') canShow = canShow && Boolean(m && m.current_item);
    if (layer.id === 'slate') canShow = canShow && s !== 'huis_clos';
    r.showButton.disabled = !canShow;
    r.showButton.title = layer.id === 'qr' && !(o.values && o.values.url)
      ? 'Pas d\'adresse de questions : indiquez graphics.question_url dans tribune.json.'
      : layer.id === 'lower_third' ? 'Affiche le point en cours.' : '';
    r.hideButton.disabled = commandDisabled('overlay.hide') || !o.visible || (layer.id === 'slate' && s === 'huis_clos');
    r.hideButton.title = layer.id === 'slate' && s === 'huis_clos' ? 'Le carton du huis clos reste jusqu\'à la fin du huis clos.' : '';
    if (r.slateSelect) r.slateSelect.disabled = s === 'huis_clos' || !state.connected;
  }
}

function showLayer(layer, slateSelect) {
  const m = state.meeting || {};
  const o = (m.overlays || {})[layer] || {};
  if (layer === 'bug') send('overlay.show', { layer, template: 'bug' });
  else if (layer === 'qr') send('overlay.show', { layer, template: 'qr', values: o.values || {} });
  else if (layer === 'lower_third') {
    const item = m.current_item;
    if (item) send('overlay.show', { layer, template: 'agenda', values: { number: item.number, title: item.title, rapporteur: item.rapporteur || '' } });
  } else if (layer === 'slate') send('overlay.show', { layer, template: slateSelect.value });
}

// --- status: broadcast, destinations, program, recording ---

let lastFrames = { frames: 0, dropped: 0, at: 0, droppedAt: 0 };
let recordingWatch = { bytes: 0, since: 0 };

function renderStatus() {
  const st = state.status;
  renderPlatforms(st && st.platforms);
  const broadcast = st && st.broadcast ? st.broadcast : { running: false, destinations: [] };
  const running = Boolean(broadcast.running);
  const destinations = broadcast.destinations || [];
  const light = byTestId('broadcast-light');
  const enabled = destinations.filter((d) => d.enabled);
  const live = enabled.filter((d) => d.phase === 'live').length;
  light.dataset.color = !st || !running || enabled.length === 0 ? 'grey' : live === enabled.length ? 'green' : 'amber';
  let text = 'En attente du serveur…';
  if (st && !running) text = 'Diffusion arrêtée — rien n\'est envoyé aux plateformes';
  else if (st && enabled.length === 0) text = 'Diffusion en cours — aucune destination activée';
  else if (st) text = `Diffusion en cours — ${live} destination${live > 1 ? 's' : ''} sur ${enabled.length} en direct`;
  if (st && destinations.length === 0) text = 'Aucune destination : enregistrement seul (ajoutez-en dans tribune.json ou avec --destination).';
  if (st && !state.connected) {
    // What is below is the last state known, not the present one.
    text = 'Connexion perdue : état actuel inconnu (dernier état connu ci-dessous).';
    light.dataset.color = 'grey';
  }
  setText(byTestId('broadcast-state'), text);
  const broadcastNode = byTestId('broadcast-state');
  broadcastNode.dataset.running = String(running);
  const start = byTestId('broadcast-start');
  const stop = byTestId('broadcast-stop');
  start.hidden = running;
  stop.hidden = !running;
  start.disabled = commandDisabled('broadcast.start') || !st;
  stop.disabled = commandDisabled('broadcast.stop') || !st;
  const stopArmed = state.confirming.has('broadcast.stop');
  stop.classList.toggle('armed', stopArmed);
  setText(stop, stopArmed ? 'Confirmer l\'arrêt ?' : 'Arrêter la diffusion');
  renderDestinations(destinations, running);
  renderProgramFacts(st);
  renderSource(st);
  renderAlarms(st);
  renderHeader();
}

// Banners for what is wrong on air or on disk. Fields absent from an older server's
// status simply show nothing.
function renderAlarms(st) {
  const connected = Boolean(st) && state.connected;
  const video = st && st.source && st.source.video;
  const videoLost = connected && Boolean(video) && video.up === false;
  show(byTestId('video-lost-alarm'), videoLost);
  setText(byTestId('video-lost-detail'), videoLost && video.reason ? video.reason : '');
  const r = st && st.recording;
  const failed = connected && Boolean(r) && r.state === 'failed';
  show(byTestId('recording-alarm'), failed);
  setText(byTestId('recording-alarm-text'), failed
    ? (r.error || 'Enregistrement arrêté : la diffusion continue / Recording stopped: streaming goes on')
    : '');
  setText(byTestId('recording-alarm-detail'), failed
    ? `Libérez de la place sur le disque de l'enregistrement ou vérifiez-le : l'enregistrement reprendra seul dans un nouveau fichier. / Free some space or check the disk: recording resumes by itself in a new file.${r.error_detail ? ` (${r.error_detail})` : ''}`
    : '');
}

// The source as the watchdog sees it: sound lost, A/V drift, restarts and stalls.
function renderSource(st) {
  const source = st && st.source;
  const audio = source && source.audio;
  const audioLost = Boolean(audio) && audio.up === false;
  const alert = byTestId('source-audio-alert');
  show(alert, audioLost);
  alert.title = audioLost && audio.reason ? audio.reason : '';
  const facts = byTestId('source-facts');
  if (!source) {
    show(facts, false);
    return;
  }
  const fr = [];
  const en = [];
  // Only a capture card's clock is corrected (docs/CONFIG.md, audio.drift_correction): say
  // what is done with the figure, never "corrected" for one that is not.
  if (typeof source.drift_ppm === 'number' && source.drift_correction !== 'off') {
    const ppm = `${source.drift_ppm > 0 ? '+' : ''}${frenchInteger.format(source.drift_ppm)} ppm`;
    const ppmEn = `${source.drift_ppm > 0 ? '+' : ''}${Math.round(source.drift_ppm)} ppm`;
    const said = {
      correcting: ['corrigée', 'corrected'],
      uncertain: ['en cours de mesure', 'being measured'],
      measuring: ['en cours de mesure', 'being measured'],
      implausible: ['invraisemblable, non corrigée', 'implausible, not corrected'],
    }[source.drift_correction] || ['non corrigée', 'not corrected'];
    fr.push(`Dérive de l'horloge du son : ${ppm}, ${said[0]}`);
    en.push(`sound clock drift: ${ppmEn}, ${said[1]}`);
  }
  const restarts = source.restarts || 0;
  const stalls = source.stalls || 0;
  fr.push(`source redémarrée ${frenchInteger.format(restarts)} fois, ${frenchInteger.format(stalls)} blocage${stalls > 1 ? 's' : ''}`);
  en.push(`source restarts: ${restarts}, stalls: ${stalls}`);
  facts.replaceChildren(fr.join(' · '), el('span', { class: 'en', lang: 'en', text: en.join(' · ') }));
  show(facts, true);
}

const destinationCards = new Map();

function renderDestinations(destinations, running) {
  const container = byTestId('destinations');
  const names = new Set(destinations.map((d) => d.name));
  for (const [name, card] of destinationCards) {
    if (!names.has(name)) {
      card.root.remove();
      destinationCards.delete(name);
    }
  }
  for (const d of destinations) {
    let card = destinationCards.get(d.name);
    if (!card) {
      card = buildDestinationCard(d.name);
      destinationCards.set(d.name, card);
      container.append(card.root);
    }
    updateDestinationCard(card, d, running);
  }
}

function buildDestinationCard(name) {
  const card = {};
  card.light = el('span', { class: 'light', 'aria-hidden': 'true' });
  card.name = el('span', { class: 'dest-name', text: name });
  card.where = el('span', { class: 'dest-where' });
  card.phase = el('span', { class: 'dest-phase', testid: 'destination-phase' });
  card.facts = el('p', { class: 'dest-facts', testid: 'destination-facts' });
  card.reason = el('strong', { class: 'dest-reason' });
  card.advice = el('span', { class: 'dest-advice' });
  card.detail = el('code', { class: 'dest-detail' });
  card.failure = el('div', { class: 'dest-failure', testid: 'destination-failure', hidden: true },
    el('p', {}, card.reason, ' ', card.advice),
    el('details', {}, el('summary', { text: 'Détail technique' }), card.detail));
  card.limitFr = el('span');
  card.limitEn = el('span', { class: 'en', lang: 'en' });
  card.limit = el('p', { class: 'dest-limit', testid: 'destination-live-limit', role: 'status', hidden: true },
    card.limitFr, card.limitEn);
  card.retry = el('button', { type: 'button', class: 'small', testid: 'destination-retry', text: 'Réessayer maintenant' });
  card.toggle = el('button', { type: 'button', class: 'small', testid: 'destination-toggle' });
  card.retry.addEventListener('click', () => send('destination.retry', { name }));
  card.toggle.addEventListener('click', () => {
    const enabled = card.root.dataset.enabled === 'true';
    send('destination.enable', { name, enabled: !enabled });
  });
  card.root = el('article', { class: 'destination', testid: 'destination-card', dataset: { name } },
    el('header', {}, card.light, card.name, card.where, card.phase),
    card.facts, card.failure, card.limit,
    el('div', { class: 'dest-buttons' }, card.retry, card.toggle));
  return card;
}

function updateDestinationCard(card, d, running) {
  const phase = PHASES[d.phase] || { light: 'grey', label: d.phase, en: d.phase };
  let light = phase.light;
  let label = phase.label;
  if (!d.enabled) {
    light = 'grey';
    label = 'Désactivée';
  } else if (d.phase === 'idle' && !running) {
    label = 'Diffusion arrêtée';
  } else if (d.phase === 'retrying' && typeof d.next_try_s === 'number') {
    label = `Nouvel essai dans ${Math.max(0, Math.ceil(d.next_try_s))} s`;
  }
  card.root.dataset.phase = d.phase;
  card.root.dataset.enabled = String(Boolean(d.enabled));
  card.root.dataset.light = light;
  card.light.dataset.color = light;
  setText(card.where, [d.platform, d.url].filter(Boolean).join(' · '));
  setText(card.phase, label);
  card.phase.dataset.color = light;
  const facts = [];
  if (d.phase === 'live') {
    facts.push(`${frenchNumber.format((d.bitrate_kbps || 0) / 1000)} Mb/s`);
    facts.push(`en direct depuis ${duration(d.uptime_s)}`);
  } else if (d.phase === 'retrying' || d.phase === 'connecting') {
    if (d.attempt) facts.push(`essai n° ${d.attempt}`);
  }
  facts.push(`${d.reconnects || 0} reconnexion${d.reconnects > 1 ? 's' : ''}`);
  if (d.bytes_sent) facts.push(`${megabytes(d.bytes_sent)} envoyés`);
  if (d.dropped) facts.push(`${frenchInteger.format(d.dropped)} paquets écartés (liaison trop lente)`);
  setText(card.facts, facts.join(' · '));
  const f = d.last_failure;
  const showFailure = Boolean(f) && d.phase !== 'live' && d.phase !== 'idle' && d.enabled;
  card.failure.dataset.severity = d.phase === 'failed' ? 'error' : 'warning';
  if (f) {
    setText(card.reason, f.reason ? `${f.reason.charAt(0).toUpperCase()}${f.reason.slice(1)}.` : '');
    setText(card.advice, f.advice || '');
    setText(card.detail, f.detail || f.code || '');
  }
  show(card.failure, showFailure);
  renderLiveLimit(card, d);
  card.retry.disabled = commandDisabled('destination.retry') || !running || !d.enabled || d.phase === 'live';
  card.retry.title = !running ? 'La diffusion est arrêtée : démarrez-la d\'abord.' : !d.enabled ? 'Destination désactivée : activez-la d\'abord.' : '';
  card.toggle.disabled = commandDisabled('destination.enable');
  setText(card.toggle, d.enabled ? 'Désactiver' : 'Activer');
}

// "Facebook coupera ce direct dans 25 min (limite de 8 h)": the platform ends a live
// after its limit; the technician can plan a new live before it does.
function renderLiveLimit(card, d) {
  const left = d.live_left_s;
  const warn = typeof left === 'number' && left <= LIVE_LIMIT_WARNING_S && d.enabled && d.phase === 'live';
  show(card.limit, warn);
  if (!warn) return;
  const platform = PLATFORM_NAMES[d.platform] || d.platform || d.name;
  const minutes = Math.max(0, Math.ceil(left / 60));
  const hours = typeof d.live_limit_s === 'number' ? Math.round(d.live_limit_s / 3600) : null;
  const whenFr = minutes >= 1 ? `dans ${minutes} min` : 'dans moins d\'une minute';
  const whenEn = minutes >= 1 ? `in ${minutes} min` : 'in less than a minute';
  setText(card.limitFr, `${platform} coupera ce direct ${whenFr}${hours ? ` (limite de ${hours} h)` : ''}`);
  setText(card.limitEn, ` / ${platform} will end this live ${whenEn}${hours ? ` (${hours}-hour limit)` : ''}`);
  card.limit.dataset.severity = left <= 5 * 60 ? 'error' : 'warning';
}

function renderProgramFacts(st) {
  const facts = byTestId('program-facts');
  const alert = byTestId('program-alert');
  const recording = byTestId('recording');
  if (!st) {
    setText(facts, '');
    setText(recording, '');
    show(alert, false);
    return;
  }
  const p = st.program || {};
  const t = now();
  if ((p.dropped || 0) > lastFrames.dropped && lastFrames.at) lastFrames.droppedAt = t;
  lastFrames = { ...lastFrames, frames: p.frames || 0, dropped: p.dropped || 0, at: t };
  setText(facts, `${frenchInteger.format(p.frames || 0)} images encodées · ${frenchInteger.format(p.dropped || 0)} perdue${p.dropped > 1 ? 's' : ''} · processeur ${frenchInteger.format((p.cpu || 0) * 100)} %`);
  const dropping = lastFrames.droppedAt && t - lastFrames.droppedAt < 10000;
  setText(alert, dropping ? 'Le PC ne suit pas : des images sont perdues. Fermez les autres programmes, ou choisissez un préréglage plus rapide (video.preset) ou 720p30 dans tribune.json.' : '');
  alert.dataset.severity = 'warning';
  show(alert, Boolean(dropping));
  const r = st.recording || {};
  renderRecordingSpace(r);
  renderExport(st.export || {});
  renderEdge(st.edge);
  if (!r.path || r.state === 'off') {
    setText(recording, 'Enregistrement : désactivé.');
    recording.dataset.state = 'off';
    return;
  }
  const files = Array.isArray(r.files) && r.files.length > 1 ? ` (${r.files.length} fichiers)` : '';
  if (r.state === 'failed') {
    recording.dataset.state = 'failed';
    recordingWatch = { bytes: r.bytes, since: t };
    setText(recording, `Enregistrement arrêté (disque plein ou non inscriptible), la diffusion continue — dernier fichier : ${r.path.split(/[\\/]/).pop()}${files}`);
    return;
  }
  if (r.bytes !== recordingWatch.bytes) recordingWatch = { bytes: r.bytes, since: t };
  const stuck = !r.paused && recordingWatch.since && t - recordingWatch.since > 10000;
  const file = r.path.split(/[\\/]/).pop();
  recording.dataset.state = r.paused ? 'paused' : stuck ? 'stuck' : 'recording';
  setText(recording, r.paused
    ? `Enregistrement en pause (huis clos) — ${file}, ${megabytes(r.bytes)}`
    : stuck
      ? `L'enregistrement n'avance plus depuis ${duration((t - recordingWatch.since) / 1000)} : vérifiez l'espace disque. (${file})`
      : `Enregistrement : ${file} — ${megabytes(r.bytes)}${files}`);
}

// The public edge's link (docs/EDGE.md): citizens at home reach the meeting through it.
function renderEdge(e) {
  const node = byTestId('edge');
  show(node, Boolean(e));
  if (!e) return;
  node.dataset.state = e.up ? 'up' : 'down';
  setText(node, e.up
    ? `Serveur public : relié (${e.edge}) — ${frenchInteger.format(e.forwarded || 0)} question(s) et soutien(s) reçus par Internet`
    : `Serveur public : non relié${e.error ? ` (${e.error})` : ''} — les questions du public y sont gardées et arriveront au retour du lien.`);
}

// The replay export at the closing (docs/EXPORT.md): where it is, or why it failed.
function renderExport(x) {
  const node = byTestId('export');
  const shown = x.state === 'running' || x.state === 'done' || x.state === 'failed';
  show(node, shown);
  if (!shown) return;
  node.dataset.state = x.state;
  const fr = {
    running: `Export du replay en cours… (${x.dir || ''})`,
    done: `Replay exporté : ${x.dir || ''} (${(x.files || []).length} fichiers)${(x.warnings || []).length ? ` — ${x.warnings.join(' ; ')}` : ''}`,
    failed: `Export du replay impossible : ${x.error || ''}. Relancez-le avec « tribune export ».`,
  }[x.state];
  const en = { running: 'Exporting the replay…', done: 'Replay exported', failed: 'Replay export failed: run tribune export' }[x.state];
  node.replaceChildren(fr, el('span', { class: 'en', lang: 'en', text: en }));
}

// "Espace libre : 12 Go — il faut ~8 Go pour la fin de la séance", in amber when short.
function renderRecordingSpace(r) {
  const node = byTestId('recording-space');
  const known = typeof r.free_bytes === 'number' && r.state !== 'off';
  show(node, known);
  if (!known) return;
  const low = Boolean(r.low_space);
  node.dataset.low = String(low);
  const need = r.needed_bytes > 0;
  const fr = `${low ? 'Attention : ' : ''}Espace libre : ${gigabytes(r.free_bytes)}${need ? ` — il faut ~${gigabytes(r.needed_bytes)} pour la fin de la séance` : ''}${low ? ' : libérez de la place.' : ''}`;
  const en = `${low ? 'Warning: ' : ''}Free space: ${gigabytes(r.free_bytes, englishNumber)}${need ? `, ~${gigabytes(r.needed_bytes, englishNumber)} needed for the rest of the meeting` : ''}`;
  node.replaceChildren(fr, el('span', { class: 'en', lang: 'en', text: en }));
}

// --- preview and meters ---

const preview = { urls: [], lastAt: 0, count: 0 };

function onPreview(blob) {
  const image = byTestId('preview');
  const url = URL.createObjectURL(blob.type ? blob : new Blob([blob], { type: 'image/jpeg' }));
  preview.urls.push(url);
  preview.lastAt = now();
  preview.count += 1;
  image.src = url;
  if (!byTestId('preview-note').hidden) renderPreviewNote();
}

function previewLoaded(event) {
  // The frame on screen is decoded: every older object URL can go.
  const current = event.target.currentSrc || event.target.src;
  const keep = preview.urls.indexOf(current);
  if (keep > 0) preview.urls.splice(0, keep).forEach((url) => URL.revokeObjectURL(url));
  document.querySelector('.preview').dataset.ready = 'true';
}

function previewFailed(event) {
  const bad = event.target.currentSrc || event.target.src;
  const index = preview.urls.indexOf(bad);
  if (index >= 0) {
    preview.urls.splice(index, 1);
    URL.revokeObjectURL(bad);
  }
}

function renderPreviewNote() {
  const note = byTestId('preview-note');
  const age = preview.lastAt ? now() - preview.lastAt : Infinity;
  let text = '';
  if (!preview.lastAt) text = state.connected ? 'En attente de l\'image du programme…' : 'Pas d\'image : connexion au serveur en cours…';
  else if (age > 3000) text = state.connected ? `Pas de nouvelle image depuis ${Math.round(age / 1000)} s.` : 'Image figée : connexion perdue.';
  setText(note, text);
  show(note, text !== '');
  document.querySelector('.preview').dataset.stale = String(text !== '');
}

const meters = { rows: [], quietSince: null, clipUntil: 0, lastAt: 0, empty: false };

function dbPercent(db) {
  const value = typeof db === 'number' && Number.isFinite(db) ? db : METER_FLOOR_DB;
  return ((clamp(value, METER_FLOOR_DB, 0) - METER_FLOOR_DB) / -METER_FLOOR_DB) * 100;
}

function buildMeterRows(channels) {
  const container = document.querySelector('.meter-rows');
  meters.rows = [];
  const names = channels === 2 ? ['G', 'D'] : Array.from({ length: channels }, (_, i) => String(i + 1));
  container.replaceChildren(...names.map((name, i) => {
    const fill = el('div', { class: 'meter-fill' });
    const peak = el('div', { class: 'meter-peak' });
    const value = el('span', { class: 'meter-value', text: '—' });
    const row = el('div', { class: 'meter', testid: `meter-${i}` },
      el('span', { class: 'meter-name', title: channels === 2 ? (i === 0 ? 'gauche' : 'droite') : `canal ${name}`, text: name }),
      el('div', { class: 'meter-track' }, fill, peak), value);
    meters.rows.push({ row, fill, peak, value });
    return row;
  }));
}

function onLevels(message) {
  const peaks = Array.isArray(message.peak_db) ? message.peak_db : [];
  const rms = Array.isArray(message.rms_db) ? message.rms_db : [];
  const channels = Math.max(peaks.length, rms.length);
  const t = now();
  meters.lastAt = t;
  meters.empty = channels === 0;
  if (meters.empty) {
    meters.quietSince = null;
    renderAudioAlert();
    return;
  }
  if (meters.rows.length !== channels) buildMeterRows(channels);
  let clipping = false;
  let quiet = true;
  meters.rows.forEach((r, i) => {
    // null stands for -inf (digital silence) in JSON.
    const p = typeof peaks[i] === 'number' ? peaks[i] : METER_FLOOR_DB - 1;
    const q = typeof rms[i] === 'number' ? rms[i] : METER_FLOOR_DB - 1;
    r.fill.style.clipPath = `inset(0 ${(100 - dbPercent(q)).toFixed(1)}% 0 0)`;
    r.peak.style.left = `${dbPercent(p).toFixed(1)}%`;
    const clip = p >= CLIP_DB;
    clipping = clipping || clip;
    r.row.classList.toggle('clipping', clip);
    r.row.dataset.peak = p.toFixed(1);
    r.row.dataset.rms = q.toFixed(1);
    setText(r.value, q < METER_FLOOR_DB ? '—' : `${Math.round(q)} dB`);
    if (q >= SILENCE_DB) quiet = false;
  });
  if (clipping) meters.clipUntil = t + 2000;
  if (quiet) meters.quietSince = meters.quietSince === null ? t : meters.quietSince;
  else meters.quietSince = null;
  renderAudioAlert();
}

// The loudness of what goes out (src/media/loudness_stage.h), four times a second: LUFS
// figures, the target, the true peak against the limiter's ceiling, and the automatic gain.
const LOUDNESS_MODES = {
  auto: 'Gain automatique : il suit le programme vers la cible.',
  frozen: 'Gain automatique figé : il reste où il est.',
  off: 'Gain automatique désactivé : le son passe tel quel (le limiteur reste).',
};

function lufsText(value, unit) {
  return typeof value === 'number' ? `${value.toFixed(1).replace('.', ',').replace('-', '−')} ${unit}` : '—';
}

function onLoudness(message) {
  setText(byTestId('loudness-momentary'), lufsText(message.momentary_lufs, 'LUFS'));
  setText(byTestId('loudness-short-term'), lufsText(message.short_term_lufs, 'LUFS'));
  setText(byTestId('loudness-integrated'), lufsText(message.integrated_lufs, 'LUFS'));
  setText(byTestId('loudness-target'), lufsText(message.target_lufs, 'LUFS'));
  const peak = byTestId('loudness-true-peak');
  setText(peak, lufsText(message.true_peak_dbtp, 'dBTP'));
  peak.classList.toggle('over', typeof message.true_peak_dbtp === 'number' && message.true_peak_dbtp > message.ceiling_dbtp);
  const gain = typeof message.gain_db === 'number' ? message.gain_db : 0;
  setText(byTestId('loudness-gain'), `${gain >= 0 ? '+' : '−'}${Math.abs(gain).toFixed(1).replace('.', ',')} dB`);
  for (const mode of ['auto', 'frozen', 'off']) {
    byTestId(`loudness-${mode}`).setAttribute('aria-pressed', String(message.mode === mode));
  }
  let note = LOUDNESS_MODES[message.mode] || '';
  if (message.muted) note = 'Huis clos : rien ne sort, rien n\'est mesuré ; le gain attend.';
  else if (typeof message.limiter_db === 'number' && message.limiter_db < -3) note += ' Le limiteur retient des crêtes fortes.';
  setText(byTestId('loudness-note'), note);
}

function renderAudioAlert() {
  const alert = byTestId('audio-alert');
  const t = now();
  let text = '';
  let severity = '';
  let kind = '';
  if (meters.lastAt && t - meters.lastAt > 3000) {
    if (state.connected) [kind, severity, text] = ['no-levels', 'warning', 'Pas de mesure du son depuis quelques secondes.'];
  } else if (t < meters.clipUntil) {
    [kind, severity, text] = ['saturation', 'error', 'Saturation : le son est trop fort (crête au-dessus de −1 dBFS). Baissez le niveau sur la table de mixage.'];
  } else if (sessionState() === 'huis_clos') {
    [kind, severity, text] = ['muted', 'info', 'Son coupé sur toutes les sorties (huis clos).'];
  } else if (meters.empty) {
    [kind, severity, text] = ['unavailable', 'warning', 'Mesure du son indisponible (le serveur n\'envoie aucun niveau) : contrôlez le son au casque.'];
  } else if (meters.quietSince !== null && t - meters.quietSince >= SILENCE_WARN_MS) {
    [kind, severity, text] = ['silence', 'warning', `Silence depuis ${Math.round((t - meters.quietSince) / 1000)} s : vérifiez le micro et la table de mixage (câble, fader, sourdine).`];
  }
  alert.dataset.severity = severity;
  alert.dataset.kind = kind;
  setText(alert, text);
  show(alert, text !== '');
  document.querySelector('.meters').classList.toggle('stale', meters.empty || Boolean(meters.lastAt && t - meters.lastAt > 3000));
}

// --- pairing: the mayor's and the moderator's QR codes ---

const SVG_NS = 'http://www.w3.org/2000/svg';

// The server draws these SVGs, but they are still parsed as data, checked to be an <svg>,
// stripped of anything active, and imported as nodes.
function safeSvg(text) {
  if (typeof text !== 'string' || text.length > 500000) return null;
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
  const root = doc.documentElement;
  if (!root || root.namespaceURI !== SVG_NS || root.localName !== 'svg') return null;
  if (doc.getElementsByTagName('parsererror').length > 0) return null;
  for (const bad of root.querySelectorAll('script, foreignObject, iframe, object, embed, use, image, a, style, animate, set')) bad.remove();
  for (const node of [root, ...root.querySelectorAll('*')]) {
    for (const attribute of [...node.attributes]) {
      if (/^on/i.test(attribute.name) || /href$/i.test(attribute.name)) node.removeAttribute(attribute.name);
    }
  }
  const svg = document.importNode(root, true);
  svg.setAttribute('role', 'img');
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return svg;
}

async function loadPairing() {
  const container = byTestId('pairing');
  try {
    const response = await api('/api/pairing');
    if (!response.ok) throw new Error(String(response.status));
    const pairing = await response.json();
    state.pairing = pairing;
    const blocks = [['mayor', 'Tablette du maire', 'mayor'], ['moderator', 'Modérateur', 'moderator']].map(([role, label, en]) => {
      const entry = pairing[role] || {};
      const svg = safeSvg(entry.qr_svg);
      if (svg) svg.setAttribute('aria-label', `QR code : ${label}`);
      const link = el('input', { type: 'text', readonly: true, class: 'pair-link', value: entry.url || '', 'aria-label': `Lien : ${label}`, onfocus: (e) => e.target.select() });
      return el('figure', { class: 'pair', testid: `pairing-${role}` },
        el('div', { class: 'qr' }, svg || el('span', { class: 'hint', text: 'QR code indisponible.' })),
        el('figcaption', {}, el('strong', { text: label }), ' ', el('span', { class: 'en', lang: 'en', text: en }),
          el('details', {}, el('summary', { text: 'Lien' }), link)));
    });
    container.replaceChildren(...blocks);
  } catch {
    state.pairing = null;
    container.replaceChildren(el('p', { class: 'hint', text: 'Codes d\'appairage indisponibles pour l\'instant ; nouvel essai à la prochaine connexion.' }));
  }
}

// ---------------------------------------------------------------------------------------
// Start

function wireStaticControls() {
  byTestId('agenda-previous').addEventListener('click', () => send('agenda.previous'));
  byTestId('agenda-next').addEventListener('click', () => send('agenda.next'));
  byTestId('broadcast-start').addEventListener('click', () => send('broadcast.start'));
  byTestId('lives-prepare').addEventListener('click', () => send('lives.prepare'));
  for (const mode of ['auto', 'frozen', 'off']) {
    byTestId(`loudness-${mode}`).addEventListener('click', () => send('loudness.mode', { mode }));
  }
  const platform = byTestId('add-platform');
  platform.addEventListener('change', () => {
    const custom = platform.value === '';
    byTestId('add-key-label').hidden = custom;
    byTestId('add-name-label').hidden = !custom;
    byTestId('add-url-label').hidden = !custom;
  });
  byTestId('add-destination-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const params = platform.value === ''
      ? { name: byTestId('add-name').value.trim(), url: byTestId('add-url').value.trim() }
      : { platform: platform.value, key: byTestId('add-key').value.trim() };
    if (send('destination.add', params)) {
      // The key leaves the page at once: nothing keeps it in the form.
      byTestId('add-key').value = '';
      byTestId('add-url').value = '';
    }
  });
  byTestId('broadcast-stop').addEventListener('click', () => armOrSend({ type: 'broadcast.stop', confirm: 'Confirmer l\'arrêt de la diffusion' }, {}));
  byTestId('speaker-show').addEventListener('click', () => {
    const id = byTestId('speaker-select').value;
    if (id) send('speaker.show', { councillor: id });
  });
  byTestId('speaker-hide').addEventListener('click', () => send('speaker.hide'));
  byTestId('speaker-select').addEventListener('change', renderSpeaker);
  const image = byTestId('preview');
  image.addEventListener('load', previewLoaded);
  image.addEventListener('error', previewFailed);
}

function everySecond() {
  renderBanner();
  renderPreviewNote();
  renderAudioAlert();
}

function start() {
  state.token = takeToken(TOKEN_KEY);
  wireStaticControls();
  meetings = createMeetings({ api, say });
  document.querySelectorAll('[data-preflight]').forEach((node) => mountPreflight(node, { api }));
  buildMeterRows(2);
  renderAll();
  renderPreviewNote();
  if (!state.token) {
    showGate('no-token');
    return;
  }
  link = new TribuneConnection({
    token: state.token,
    quietMs: QUIET_MS,
    pingTimeoutMs: PING_TIMEOUT_MS,
    onWelcome,
    onStandby,
    onMessage,
    onState: onLinkState,
    onBinary: onPreview,
    onRefused: () => {
      forgetToken(TOKEN_KEY);
      showGate('invalid-token');
    },
  });
  setInterval(everySecond, 1000);
  link.start();
}

start();
