// Tribune — the mayor's tablet (docs/QUESTIONS.md): the question to read (the one on air, or
// the first of the moderator's queue), the next ones, and two large buttons. "À l'antenne"
// (and "Répondue") are possible only while the public may be heard (pré-séance, suspension,
// questions du public); otherwise the buttons are disabled and the page says why. The server never sends the mayor a question the
// moderator has not approved. Viewers' texts go into the page with textContent only.
import {
  TribuneConnection, SESSION_LABELS, sessionFromState, snapshotQuestions, takeToken, forgetToken,
  byTestId, el, setText, show, authorLine, originOf, showStandbyNotice,
} from '../shared/tribune-connection.js';

const TOKEN_KEY = 'tribune.mayor.token';
const NEXT_SHOWN = 6;

const REASONS = {
  seance_ouverte: 'Pendant les délibérations, le public ne peut pas être entendu.',
  huis_clos: 'Pendant les délibérations, le public ne peut pas être entendu (huis clos).',
  seance_levee: 'Séance levée : une question passe à l\'antenne pendant les « questions du public ».',
  terminee: 'La retransmission est terminée.',
};

const state = {
  token: null,
  session: null,
  meeting: {},
  questions: new Map(),
  queue: [],
  busy: null,  // the command waiting for its result
};

let link = null;

function say(kind, text) {
  const line = byTestId('status-line');
  line.dataset.kind = kind;
  setText(line.querySelector('.status-text'), text);
}

function showGate(kind) {
  const texts = {
    'no-token': ['Ouvrez cette page avec son adresse complète',
      'La tablette du maire a besoin de sa clé : scannez le QR code « Tablette du maire » de la console du technicien.',
      'Scan the mayor\'s QR code on the technician\'s console.'],
    'invalid-token': ['Ce lien n\'est plus valable',
      'Le serveur ne reconnaît pas la clé de cette adresse. Demandez au technicien de scanner à nouveau le QR code de la tablette.',
      'This link\'s token is not known to the server: scan the QR code again.'],
    'wrong-role': ['Ce lien n\'est pas celui de la tablette du maire',
      'Cette adresse ouvre une autre page. Scannez le QR code « Tablette du maire » de la console du technicien.',
      'This link is not the mayor\'s: scan the mayor\'s QR code.'],
  }[kind];
  const gate = byTestId('gate');
  setText(gate.querySelector('.gate-title'), texts[0]);
  setText(gate.querySelector('.gate-text'), texts[1]);
  setText(gate.querySelector('.gate-hint'), texts[2]);
  gate.dataset.kind = kind;
  show(gate, true);
  for (const id of ['mayor', 'banner', 'status-line']) show(byTestId(id), false);
  const node = byTestId('connection');
  node.dataset.state = 'stopped';
  setText(node.querySelector('.connection-text'), 'Non connecté');
}

// ---------------------------------------------------------------------------------------
// Messages

function onWelcome(message, { resumed, reconnected }) {
  showStandbyNotice(null);
  if (message.role !== 'mayor' && message.role !== 'technician' && message.role !== 'moderator') {
    link.stop();
    showGate('wrong-role');
    return;
  }
  if (!resumed) applySnapshot(message.snapshot || {});
  say(reconnected ? 'ok' : 'info', reconnected ? 'Connexion rétablie.' : 'Connecté.');
  render();
}

function applySnapshot(snapshot) {
  state.session = snapshot.session || null;
  state.meeting = snapshot.agenda && snapshot.agenda.meeting ? snapshot.agenda.meeting : {};
  const q = snapshotQuestions(snapshot);
  state.questions = new Map(q.items.filter((v) => v && typeof v.id === 'number').map((v) => [v.id, v]));
  state.queue = Array.isArray(q.queue) ? q.queue.slice() : [];
}

function onMessage(message) {
  switch (message.type) {
    case 'event': {
      const event = message.event || {};
      const data = event.data || {};
      if (event.type === 'session_changed' && typeof data.to === 'string') {
        state.session = sessionFromState(data.to);
        say('info', state.session.public_may_be_heard
          ? `${state.session.label} : le public peut être entendu, une question peut passer à l'antenne.`
          : `${state.session.label} : pas de question à l'antenne${data.to === 'seance_ouverte' || data.to === 'huis_clos' ? ' pendant les délibérations' : ''}.`);
      }
      break;
    }
    case 'question':
      if (message.question && typeof message.question.id === 'number') state.questions.set(message.question.id, message.question);
      break;
    case 'question_removed':
      state.questions.delete(message.id);
      break;
    case 'questions_queue':
      if (Array.isArray(message.queue)) state.queue = message.queue.slice();
      break;
    case 'error':
      say('error', message.message || 'Message refusé par le serveur.');
      break;
    default:
      return;
  }
  render();
}

// ---------------------------------------------------------------------------------------
// What to read, and the buttons

function ordered() {
  const inQueue = state.queue.map((id) => state.questions.get(id))
    .filter((v) => v && (v.status === 'approved' || v.status === 'on_air'));
  const onAir = [...state.questions.values()].find((v) => v.status === 'on_air') || null;
  const current = onAir || inQueue.find((v) => v.status === 'approved') || null;
  const next = inQueue.filter((v) => v !== current && v.status === 'approved');
  return { current, next };
}

async function command(type, id, okText) {
  if (state.busy) return;
  state.busy = type;
  render();
  const result = await link.send(type, { question: id });
  state.busy = null;
  if (result.status === 'ok') say('ok', okText);
  else say('error', result.message || `Refusé (${result.status || result.code}).`);
  render();
}

function onAirClicked() {
  const { current } = ordered();
  if (current) command('question.on_air', current.id, 'La question est à l\'antenne.');
}

function offAirClicked() {
  const { current } = ordered();
  if (current) command('question.off_air', current.id, 'Question retirée de l\'antenne : elle reste en tête de la file.');
}

function answeredClicked() {
  const { current } = ordered();
  if (current) command('question.answered', current.id, 'Question marquée « répondue ».');
}

// ---------------------------------------------------------------------------------------
// Rendering

function render() {
  const meeting = state.meeting || {};
  setText(byTestId('commune'), meeting.commune || 'Tribune');
  const s = state.session ? state.session.state : '';
  const badge = byTestId('session-badge');
  badge.dataset.state = s;
  document.body.dataset.session = s;
  setText(badge, state.session ? state.session.label || SESSION_LABELS[s] || s : '…');

  const { current, next } = ordered();
  const box = byTestId('current');
  box.dataset.id = current ? String(current.id) : '';
  box.dataset.status = current ? current.status : '';
  const onAir = Boolean(current && current.status === 'on_air');
  setText(byTestId('current-label'), !current ? 'Aucune question' : onAir ? 'À l\'antenne' : 'Prochaine question');
  const votes = current ? Number(current.votes) || 0 : 0;
  setText(byTestId('current-meta'), current ? `n° ${current.id}${votes ? ` · ${votes} soutien${votes > 1 ? 's' : ''}` : ''}` : '');
  setText(byTestId('current-text'), current ? current.text || '' : '');
  const who = current ? authorLine(current) : '';
  setText(byTestId('current-who'), who);
  byTestId('current-who').dataset.origin = current ? originOf(current) : '';
  show(byTestId('current-who'), Boolean(who));
  show(byTestId('current-empty'), !current);
  show(byTestId('current-text'), Boolean(current));

  const mayBeHeard = Boolean(state.session && state.session.public_may_be_heard);
  const connected = Boolean(link && link.connected);
  const onAirButton = byTestId('btn-on-air');
  const offAirButton = byTestId('btn-off-air');
  const answeredButton = byTestId('btn-answered');
  show(onAirButton, !onAir);
  show(offAirButton, onAir);
  onAirButton.disabled = !connected || !current || !mayBeHeard || state.busy !== null;
  offAirButton.disabled = !connected || !onAir || state.busy !== null;
  // Answered, like on air, outside deliberation only (DESIGN.md §2): during a deliberation
  // neither big button invites a tap.
  answeredButton.disabled = !connected || !current || state.busy !== null || (!onAir && !mayBeHeard);
  show(byTestId('buttons'), Boolean(current));

  const reason = byTestId('on-air-reason');
  let why = '';
  if (current && !onAir && !mayBeHeard) {
    why = REASONS[s] || 'Pas maintenant : le public ne peut pas être entendu.';
  } else if (current && !connected) {
    why = 'Pas de connexion au serveur : reconnexion en cours…';
  }
  setText(reason, why);
  show(reason, Boolean(why));
  onAirButton.title = why;

  const list = byTestId('next-list');
  const shown = next.slice(0, NEXT_SHOWN);
  list.replaceChildren(...shown.map((v) => {
    const who = authorLine(v);
    const n = Number(v.votes) || 0;
    return el('li', { class: 'next-item', testid: 'next-item', dataset: { id: String(v.id), origin: originOf(v) } },
      el('p', { class: 'next-text', testid: 'next-text', text: v.text || '' }),
      el('p', { class: 'next-who', text: [who, n ? `${n} soutien${n > 1 ? 's' : ''}` : ''].filter(Boolean).join(' — ') }));
  }));
  if (next.length > shown.length) {
    list.append(el('li', { class: 'next-more', text: `et ${next.length - shown.length} autre${next.length - shown.length > 1 ? 's' : ''}` }));
  }
  show(byTestId('next-empty'), next.length === 0);
  const answered = [...state.questions.values()].filter((v) => v.status === 'answered').length;
  setText(byTestId('answered-count'), answered ? `${answered} question${answered > 1 ? 's' : ''} déjà répondue${answered > 1 ? 's' : ''}.` : '');
}

function renderConnection() {
  if (!link) return;
  const node = byTestId('connection');
  const kind = link.state;
  node.dataset.state = kind;
  document.body.dataset.connection = kind;
  setText(node.querySelector('.connection-text'),
    kind === 'connected' ? 'Connecté' : kind === 'standby' ? 'En veille' : kind === 'connecting' ? (link.everConnected ? 'Reconnexion…' : 'Connexion…') : kind === 'stopped' ? 'Non connecté' : 'Déconnecté');
  show(byTestId('banner'), link.everConnected && kind !== 'connected' && kind !== 'standby' && kind !== 'stopped');
  renderBanner();
  if (kind !== 'stopped') render();
}

function renderBanner() {
  if (!link || !link.everConnected || link.connected || link.standby) return;
  const wait = link.secondsToRetry();
  setText(byTestId('banner-detail'), wait > 0 ? `Nouvel essai dans ${wait} s.` : 'Nouvel essai…');
}

// The tablet stays awake during the meeting when the browser allows it.
let wakeLock = null;
async function keepAwake() {
  try {
    if (navigator.wakeLock && !wakeLock && document.visibilityState === 'visible') {
      wakeLock = await navigator.wakeLock.request('screen');
      wakeLock.addEventListener('release', () => { wakeLock = null; });
    }
  } catch {
    wakeLock = null;  // refused (battery saver, no permission): nothing to do
  }
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  state.token = takeToken(TOKEN_KEY);
  if (!state.token) {
    showGate('no-token');
    return;
  }
  byTestId('btn-on-air').addEventListener('click', onAirClicked);
  byTestId('btn-off-air').addEventListener('click', offAirClicked);
  byTestId('btn-answered').addEventListener('click', answeredClicked);
  link = new TribuneConnection({
    token: state.token,
    onWelcome,
    // tribune serve with no meeting running: the page waits for it (docs/SCHEDULE.md).
    onStandby: () => showStandbyNotice('En attente de la séance — Tribune est en veille : cette page se remplira d\'elle-même quand la séance commencera.'),
    onMessage,
    onState: renderConnection,
    onRefused: () => {
      forgetToken(TOKEN_KEY);
      showGate('invalid-token');
    },
  });
  setInterval(renderBanner, 1000);
  document.addEventListener('pointerdown', keepAwake, { once: true });
  document.addEventListener('visibilitychange', keepAwake);
  render();
  link.start();
}

start();
