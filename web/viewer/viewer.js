// Tribune — the viewers' question page (docs/QUESTIONS.md), reached from the QR code on the
// picture. Phone first, French first. Plain ES module, no dependency, no build step. Every
// text a viewer wrote goes into the page with textContent: nothing here builds markup, a link
// or an address from data.
import {
  sessionFromState, snapshotQuestions, townHallUnreachable,
  byTestId, el, setText, show, characters, authorLine,
} from '../shared/tribune-connection.js';
import {
  renderConnectionStatus, renderRetryBanner, renderSessionBadge, viewerConnection,
} from '../shared/public-page.js';

// What the viewer reads (the server sends status_label; these are the fallbacks and the
// English line under it).
const STATUS = {
  pending: { fr: 'en attente', en: 'waiting for moderation' },
  approved: { fr: 'retenue', en: 'approved' },
  on_air: { fr: 'à l\'antenne', en: 'on air' },
  answered: { fr: 'répondue', en: 'answered' },
  written_reply: { fr: 'réponse écrite à venir', en: 'written reply to come' },
  rejected: { fr: 'non retenue', en: 'not selected' },
  merged: { fr: 'regroupée avec une question semblable', en: 'merged with a similar question' },
  deleted: { fr: 'non retenue', en: 'not selected' },
};

const state = {
  session: null,          // {state, label, public_may_be_heard, public_outputs_cut}
  meeting: {},            // agenda.meeting: commune, title…
  settings: null,         // questions_settings
  questions: new Map(),   // id → view
  queue: [],              // ids of approved and on-air questions, in order
  sending: false,
  retryUntil: 0,          // rate limited until (performance.now() ms)
  voting: new Set(),      // ids whose upvote waits for its result
  justAsked: null,        // id of the question just sent, to point at it
  // Through a public edge (issue 22) a question is first "reçue" (kept by the edge) with a
  // ticket, then "transmise" once the town hall logged it (question_logged): ticket → step
  // ('received', 'logged', 'refused'). A question_logged for a ticket not here is ignored.
  tickets: new Map(),
  lastTicket: null,       // the ticket the feedback line speaks of
  edgeUnreachable: false, // edge_status: the edge has lost the town hall
};

const link = viewerConnection({
  onWelcome,
  onMessage,
  onState: renderConnection,
});

// ---------------------------------------------------------------------------------------
// Messages

function onWelcome(message, { resumed }) {
  state.edgeUnreachable = false;  // a new connection: the edge says so again if it must
  if (!resumed) applySnapshot(message.snapshot || {});
  renderAll();
}

// Only its author sees a deleted question, and the server's view of it carries nothing but
// its id and status: it is this browser's own. A view without `mine` keeps what was known.
function ownView(view, before) {
  if (typeof view.mine !== 'boolean') {
    return { ...view, mine: view.status === 'deleted' || Boolean(before && before.mine) };
  }
  return view;
}

function applySnapshot(snapshot) {
  state.session = snapshot.session || null;
  state.meeting = snapshot.agenda && snapshot.agenda.meeting ? snapshot.agenda.meeting : {};
  state.settings = snapshot.questions_settings || state.settings;
  const q = snapshotQuestions(snapshot);
  state.questions = new Map(q.items.filter((v) => v && typeof v.id === 'number').map((v) => [v.id, ownView(v, null)]));
  state.queue = Array.isArray(q.queue) ? q.queue.slice() : [];
}

function onMessage(message) {
  switch (message.type) {
    case 'event': {
      const event = message.event || {};
      const data = event.data || {};
      if (event.type === 'session_changed' && typeof data.to === 'string') {
        state.session = sessionFromState(data.to);
      } else if (event.type === 'agenda_loaded' && data.agenda && data.agenda.meeting) {
        state.meeting = data.agenda.meeting;
      }
      break;
    }
    case 'question':
      if (message.question && typeof message.question.id === 'number') {
        state.questions.set(message.question.id, ownView(message.question, state.questions.get(message.question.id)));
      }
      break;
    case 'question_removed':
      state.questions.delete(message.id);
      break;
    case 'questions_queue':
      if (Array.isArray(message.queue)) state.queue = message.queue.slice();
      break;
    case 'error':
      feedback('error', message.message || 'Message refusé par le serveur.', message.status);
      break;
    case 'question_logged':
      questionLogged(message);
      break;
    case 'edge_status':
      state.edgeUnreachable = townHallUnreachable(message);
      break;
    default:
      return;  // anything newer
  }
  renderAll();
}

// ---------------------------------------------------------------------------------------
// Asking

function closedReason() {
  const s = state.session ? state.session.state : '';
  if (s === 'terminee') return 'La séance est terminée. Merci de votre participation.';
  if (state.settings && state.settings.enabled === false) return 'Les questions du public ne sont pas ouvertes pour cette séance.';
  return '';
}

function maxLength() {
  return state.settings && Number.isInteger(state.settings.max_length) ? state.settings.max_length : 500;
}

// step: where the question is ('received' by a public edge, 'logged' by the town hall,
// 'refused'), '' for anything else.
function feedback(kind, text, status = '', step = '') {
  const node = byTestId('ask-feedback');
  node.dataset.kind = kind;
  node.dataset.status = status || '';
  node.dataset.step = step;
  setText(node, text);
  show(node, Boolean(text));
}

async function ask(event) {
  event.preventDefault();
  if (state.sending) return;
  const textField = byTestId('ask-text');
  const text = textField.value.trim();
  const pseudonym = byTestId('ask-pseudonym').value.trim();
  const place = byTestId('ask-place').value.trim();
  if (closedReason()) {
    feedback('error', closedReason(), 'questions_closed');
    return;
  }
  if (!text) {
    feedback('error', 'Écrivez d\'abord votre question.', 'empty');
    textField.focus();
    return;
  }
  const length = characters(text);
  if (length > maxLength()) {
    feedback('error', `Votre question est trop longue : ${length} caractères, ${maxLength()} au plus.`, 'too_long');
    textField.focus();
    return;
  }
  if (performance.now() < state.retryUntil) return;
  const params = { text };
  if (pseudonym) params.pseudonym = pseudonym;
  if (place) params.place = place;
  state.sending = true;
  feedback('info', 'Envoi…');
  renderForm();
  const result = await link.send('question.ask', params);
  state.sending = false;
  const data = result.data || {};
  if (result.status === 'ok' && typeof data.question !== 'number' && typeof data.ticket === 'string' && data.received) {
    // A public edge kept it durably; the town hall has not logged it yet.
    textField.value = '';
    state.tickets.set(data.ticket, 'received');
    state.lastTicket = data.ticket;
    state.justAsked = null;
    feedback('ok', 'Question reçue : elle est bien enregistrée et sera transmise à la mairie dans un instant.', 'ok', 'received');
  } else if (result.status === 'ok') {
    textField.value = '';
    state.lastTicket = null;
    transmitted(data);
  } else {
    if (result.status === 'rate_limited') {
      const wait = Number(result.data && result.data.retry_after_s) || 60;
      state.retryUntil = performance.now() + wait * 1000;
    }
    feedback('error', result.message || `Question refusée (${result.status}).`, result.status);
    const param = result.data && result.data.param;
    if (param === 'pseudonym') byTestId('ask-pseudonym').focus();
    else if (param === 'place') byTestId('ask-place').focus();
    else if (param === 'text') textField.focus();
  }
  renderAll();
}

// The town hall logged the question: "transmise", and what the moderator will do with it.
function transmitted(data) {
  state.justAsked = typeof data.question === 'number' ? data.question : null;
  feedback('ok', data.status === 'approved'
    ? 'Merci ! Question transmise à la mairie : elle est publiée dans la liste des questions retenues.'
    : 'Merci ! Question transmise à la mairie : un modérateur la lira avant de la retenir. Suivez-la dans « Mes questions ».',
  'ok', 'logged');
}

// docs/QUESTIONS.md "Through a public edge": the town hall's answer to a question an edge
// received. Only for a ticket this page was given, once.
function questionLogged(message) {
  const ticket = typeof message.ticket === 'string' ? message.ticket : null;
  if (!ticket || state.tickets.get(ticket) !== 'received') return;
  const data = message.data && typeof message.data === 'object' ? message.data : {};
  const latest = state.lastTicket === ticket;
  if (message.status === 'ok') {
    state.tickets.set(ticket, 'logged');
    if (latest) transmitted(data);
    return;
  }
  state.tickets.set(ticket, 'refused');
  if (message.status === 'rate_limited') {
    const wait = Number(data.retry_after_s) || 60;
    state.retryUntil = performance.now() + wait * 1000;
  }
  // A refusal is said even when a later question is shown: this one did not reach the mayor.
  feedback('error', typeof message.message === 'string' && message.message
    ? message.message
    : `Question refusée par la mairie (${message.status}).`, message.status, 'refused');
}

async function upvote(id) {
  if (state.voting.has(id)) return;
  state.voting.add(id);
  renderLists();
  const result = await link.send('question.upvote', { question: id });
  state.voting.delete(id);
  const question = state.questions.get(id);
  if (result.status === 'ok' || result.status === 'already_voted') {
    if (question) {
      question.voted = true;
      if (result.data && Number.isInteger(result.data.votes)) question.votes = result.data.votes;
    }
    queueNote('');
  } else {
    queueNote(result.message || `Soutien refusé (${result.status}).`);
  }
  renderLists();
}

function queueNote(text) {
  const node = byTestId('queue-note');
  setText(node, text);
  show(node, Boolean(text));
}

// ---------------------------------------------------------------------------------------
// Rendering

function renderConnection() {
  renderConnectionStatus(link);
  renderForm();
  renderLists();
}

function renderAll() {
  show(byTestId('edge-banner'), state.edgeUnreachable);
  renderHeader();
  renderNotices();
  renderForm();
  renderLists();
}

function renderHeader() {
  const meeting = state.meeting || {};
  setText(byTestId('commune'), meeting.commune || 'Conseil municipal');
  setText(byTestId('meeting-title'), meeting.title || '');
  document.title = `Posez votre question — ${meeting.commune || 'Conseil municipal'}`;
  renderSessionBadge(state.session);
}

function renderNotices() {
  const s = state.session ? state.session.state : '';
  show(byTestId('notice-huis-clos'), s === 'huis_clos');
  const reason = closedReason();
  setText(document.querySelector('.closed-detail'), reason);
  show(byTestId('notice-closed'), Boolean(reason));
  const settings = state.settings;
  const notice = settings && settings.notice ? settings.notice : {};
  setText(byTestId('notice-purpose'), notice.purpose || '');
  setText(byTestId('notice-retention'), notice.retention || '');
  setText(byTestId('notice-contact'), notice.contact || '');
  if (settings) {
    if (Number.isInteger(settings.max_pseudonym_length)) byTestId('ask-pseudonym').maxLength = settings.max_pseudonym_length;
    if (Number.isInteger(settings.max_place_length)) byTestId('ask-place').maxLength = settings.max_place_length;
  }
}

function renderCounter() {
  const counter = byTestId('ask-counter');
  const length = characters(byTestId('ask-text').value.trim());
  const max = maxLength();
  counter.dataset.over = String(length > max);
  counter.dataset.count = String(length);
  setText(counter, length > max
    ? `${length} / ${max} caractères : ${length - max} de trop`
    : `${length} / ${max} caractères`);
}

function renderForm() {
  renderCounter();
  const closed = Boolean(closedReason());
  const submit = byTestId('ask-submit');
  const waiting = Math.ceil((state.retryUntil - performance.now()) / 1000);
  submit.disabled = closed || state.sending || waiting > 0;
  setText(submit.querySelector('.label'), waiting > 0
    ? `Patientez ${waiting >= 60 ? `${Math.ceil(waiting / 60)} min` : `${waiting} s`}`
    : state.sending ? 'Envoi…' : 'Envoyer ma question');
  byTestId('ask-text').disabled = closed;
  byTestId('ask-form').dataset.closed = String(closed);
}

// "Jean D. · Facebook" for a question asked on a platform, as on the mayor's tablet.
function who(view) {
  return authorLine(view);
}

function statusOf(view) {
  const known = STATUS[view.status] || { fr: view.status, en: '' };
  return { fr: view.status_label || known.fr, en: known.en };
}

// One list item per question, reused across renders (keyed by id).
const itemCache = { mine: new Map(), queue: new Map(), answered: new Map() };

function questionItem(cache, view, kind) {
  let entry = cache.get(view.id);
  if (!entry) {
    entry = {
      li: el('li', { class: 'q', testid: `${kind}-item` }),
      status: el('span', { class: 'status', testid: 'q-status' }),
      statusEn: el('span', { class: 'en', lang: 'en' }),
      text: el('p', { class: 'q-text', testid: 'q-text' }),
      who: el('p', { class: 'q-who', testid: 'q-who' }),
      votes: el('span', { class: 'votes', testid: 'votes' }),
      button: null,
    };
    const head = el('div', { class: 'q-head' }, el('span', { class: 'status-box' }, entry.status, entry.statusEn));
    const foot = el('div', { class: 'q-foot' }, entry.who);
    if (kind === 'queue') {
      entry.button = el('button', { type: 'button', class: 'upvote', testid: 'upvote', onclick: () => upvote(view.id) });
      foot.append(entry.votes, entry.button);
    } else {
      foot.append(entry.votes);
    }
    entry.li.append(head, entry.text, foot);
    cache.set(view.id, entry);
  }
  const { fr, en } = statusOf(view);
  entry.li.dataset.id = String(view.id);
  entry.li.dataset.status = view.status;
  entry.li.dataset.mine = String(Boolean(view.mine));
  entry.li.classList.toggle('just-asked', kind === 'mine' && view.id === state.justAsked);
  setText(entry.status, fr);
  setText(entry.statusEn, en ? ` ${en}` : '');
  entry.status.dataset.status = view.status;
  if (view.status === 'deleted' || typeof view.text !== 'string') {
    setText(entry.text, 'Question retirée par la modération.');
    entry.text.classList.add('gone');
  } else {
    setText(entry.text, view.text);
    entry.text.classList.remove('gone');
  }
  setText(entry.who, who(view));
  show(entry.who, Boolean(who(view)));
  const publicOne = ['approved', 'on_air', 'answered'].includes(view.status);
  const votes = Number(view.votes) || 0;
  setText(entry.votes, publicOne && (kind === 'queue' || votes > 0) ? `${votes} soutien${votes > 1 ? 's' : ''}` : '');
  entry.votes.dataset.votes = String(votes);
  if (entry.button) {
    const voted = Boolean(view.voted);
    entry.button.disabled = voted || state.voting.has(view.id) || !link.connected;
    entry.button.dataset.voted = String(voted);
    entry.button.setAttribute('aria-pressed', String(voted));
    setText(entry.button, voted ? 'Soutenue ✓' : 'Je soutiens');
    entry.button.setAttribute('aria-label', voted ? 'Vous soutenez cette question' : 'Soutenir cette question');
  }
  return entry.li;
}

function fillList(list, cache, views, kind) {
  const keep = new Set(views.map((v) => v.id));
  for (const id of [...cache.keys()]) if (!keep.has(id)) cache.delete(id);
  const items = views.map((v) => questionItem(cache, v, kind));
  const same = items.length === list.children.length && items.every((li, i) => list.children[i] === li);
  if (!same) list.replaceChildren(...items);
}

function renderLists() {
  const all = [...state.questions.values()];
  const mine = all.filter((v) => v.mine).sort((a, b) => b.id - a.id);
  fillList(byTestId('mine-list'), itemCache.mine, mine, 'mine');
  show(byTestId('mine'), mine.length > 0);

  const queued = state.queue.map((id) => state.questions.get(id)).filter((v) => v && (v.status === 'approved' || v.status === 'on_air'));
  fillList(byTestId('queue-list'), itemCache.queue, queued, 'queue');
  show(byTestId('queue-empty'), queued.length === 0);

  const answered = all.filter((v) => v.status === 'answered').sort((a, b) => b.id - a.id);
  fillList(byTestId('answered-list'), itemCache.answered, answered, 'answered');
  setText(byTestId('answered-count'), `(${answered.length})`);
  show(byTestId('answered'), answered.length > 0);
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  // A line under the list for refused upvotes (built here: the page's HTML stays static).
  byTestId('queue-list').after(el('p', { class: 'queue-note', testid: 'queue-note', role: 'status', hidden: true }));
  byTestId('ask-form').addEventListener('submit', ask);
  byTestId('ask-text').addEventListener('input', renderCounter);
  setInterval(() => {
    renderRetryBanner(link);
    if (state.retryUntil) {
      if (performance.now() >= state.retryUntil) {
        state.retryUntil = 0;
        const node = byTestId('ask-feedback');
        if (node.dataset.status === 'rate_limited') feedback('info', 'Vous pouvez de nouveau envoyer une question.');
      }
      renderForm();
    }
  }, 1000);
  renderAll();
  renderConnection();
  link.start();
}

start();
