// Tribune — the moderator's page (docs/QUESTIONS.md): the incoming questions live, approve,
// edit, reject, restore, delete, written reply, order the queue, merge duplicates, the
// pre-screening switch and the exports; each question's origin (the viewer page or a
// platform's chat, issue 21) as a badge, a filter and counters by origin. Plain ES module, no
// dependency, no build step.
// Every viewer's text goes into the page with textContent; nothing is modal: an action that
// cannot be undone asks for a second click, refusals are written in the status line.
import {
  TribuneConnection, SESSION_LABELS, sessionFromState, snapshotQuestions, takeToken, forgetToken,
  byTestId, el, setText, show, characters, ORIGINS, ORIGIN_NAMES, originOf, showStandbyNotice,
} from '../shared/tribune-connection.js';

const TOKEN_KEY = 'tribune.moderator.token';
const CONFIRM_WINDOW_MS = 5000;
const MAX_LENGTH = 500;  // docs/QUESTIONS.md: the default max_length (moderators get no settings)

const FLAG_LABELS = {
  profanity: { fr: 'grossièreté ?', en: 'profanity', title: 'Un mot de la liste de la commune figure dans le texte.' },
  phone: { fr: 'téléphone masqué', en: 'phone', title: 'Un numéro de téléphone a été masqué dans le texte public.' },
  email: { fr: 'e-mail masqué', en: 'e-mail', title: 'Une adresse e-mail a été masquée dans le texte public.' },
};

// Where a question was asked, for the badge's tooltip and the filter's messages.
const ORIGIN_TITLES = {
  site: 'Posée sur la page des questions de la commune', youtube: 'Posée dans le chat du direct YouTube',
  facebook: 'Posée en commentaire du direct Facebook', peertube: 'Posée en commentaire de la vidéo PeerTube',
};
const ORIGIN_FROM = {
  site: 'posées sur le site de la commune', youtube: 'venues de YouTube', facebook: 'venues de Facebook', peertube: 'venues de PeerTube',
};

const STATUS_LABELS = {
  pending: 'en attente', approved: 'retenue', on_air: 'à l\'antenne', answered: 'répondue',
  written_reply: 'réponse écrite à venir', rejected: 'non retenue', merged: 'regroupée', deleted: 'supprimée',
};

const SUCCESS_TEXT = {
  'question.approve': (p) => `Question n° ${p.question} approuvée${p.text !== undefined ? ' avec votre texte' : ''} : elle est dans la file.`,
  'question.edit': (p) => `Texte de la question n° ${p.question} modifié.`,
  'question.reject': (p) => `Question n° ${p.question} non retenue.`,
  'question.restore': (p) => `Question n° ${p.question} remise à modérer.`,
  'question.delete': (p) => `Question n° ${p.question} supprimée : son texte est effacé.`,
  'question.written_reply': (p) => `Question n° ${p.question} mise de côté pour une réponse écrite.`,
  'question.move': (p) => `Question n° ${p.question} ${p.to === 'top' ? 'placée en tête de file' : p.to === 'up' ? 'montée d\'un rang' : 'descendue d\'un rang'}.`,
  'question.merge': (p) => `Question n° ${p.question} regroupée avec la n° ${p.into}.`,
  'question.off_air': (p) => `Question n° ${p.question} retirée de l'antenne.`,
  'questions.prescreen': (p) => (p.enabled ? 'Pré-modération activée : chaque question attend votre accord.'
    : 'Pré-modération désactivée : les questions sans signalement sont publiées directement.'),
};

const state = {
  token: null,
  session: null,
  meetingId: '',
  meeting: {},
  questions: new Map(),  // id → view
  queue: [],
  counters: { pending: 0, approved: 0, answered: 0, rejected: 0 },
  prescreen: true,
  selected: null,        // id of the selected question
  editing: null,         // id whose text is being edited
  merging: null,         // id being merged
  confirming: new Map(), // `${action}:${id}` → timer (second click within 5 s)
  busy: new Set(),       // `${type}:${id}` waiting for a result
  origin: '',            // the origin filter: '' for every question, else one of ORIGINS
};

let link = null;

// ---------------------------------------------------------------------------------------
// Status line

function say(kind, text) {
  const line = byTestId('status-line');
  line.dataset.kind = kind;
  setText(line.querySelector('.status-time'), new Date().toLocaleTimeString('fr-FR'));
  setText(line.querySelector('.status-text'), text);
}

function showGate(kind) {
  const texts = {
    'no-token': ['Ouvrez cette page avec son adresse complète',
      'La page de modération a besoin de la clé du modérateur : ouvrez le lien (ou scannez le QR code « Modérateur ») de la console du technicien. Il se termine par #token=….',
      'Open the moderator\'s link from the technician\'s console (it ends with #token=…).'],
    'invalid-token': ['Ce lien n\'est plus valable',
      'Le serveur ne reconnaît pas la clé de cette adresse : les jetons ont peut-être été renouvelés. Demandez le nouveau lien au technicien.',
      'This link\'s token is not known to the server: ask the technician for the new link.'],
    'wrong-role': ['Ce lien n\'est pas celui du modérateur',
      'Cette adresse ouvre une autre page (celle du maire ou la console). Demandez au technicien le lien « Modérateur ».',
      'This link is not the moderator\'s: ask the technician for the moderator\'s link.'],
  }[kind];
  const gate = byTestId('gate');
  setText(gate.querySelector('.gate-title'), texts[0]);
  setText(gate.querySelector('.gate-text'), texts[1]);
  setText(gate.querySelector('.gate-hint'), texts[2]);
  gate.dataset.kind = kind;
  show(gate, true);
  for (const id of ['moderation', 'toolbar', 'help-line', 'banner', 'status-line']) show(byTestId(id), false);
  const node = byTestId('connection');
  node.dataset.state = 'stopped';
  setText(node.querySelector('.connection-text'), 'Non connecté');
}

// ---------------------------------------------------------------------------------------
// Messages

function onWelcome(message, { resumed, reconnected }) {
  showStandbyNotice(null);
  if (message.role !== 'moderator' && message.role !== 'technician') {
    link.stop();
    showGate('wrong-role');
    return;
  }
  if (!resumed) applySnapshot(message.snapshot || {});
  if (reconnected) say('ok', 'Connexion rétablie.');
  else say('info', 'Connecté : les questions arrivent ici en direct.');
  renderAll();
}

function applySnapshot(snapshot) {
  state.session = snapshot.session || null;
  state.meetingId = snapshot.id || '';
  state.meeting = snapshot.agenda && snapshot.agenda.meeting ? snapshot.agenda.meeting : {};
  const q = snapshotQuestions(snapshot);
  state.questions = new Map(q.items.filter((v) => v && typeof v.id === 'number').map((v) => [v.id, v]));
  state.queue = Array.isArray(q.queue) ? q.queue.slice() : [];
  if (typeof q.prescreen === 'boolean') state.prescreen = q.prescreen;
  if (q.counters) state.counters = { ...state.counters, ...q.counters };
}

function onMessage(message) {
  switch (message.type) {
    case 'event': {
      const event = message.event || {};
      const data = event.data || {};
      if (event.type === 'session_changed' && typeof data.to === 'string') state.session = sessionFromState(data.to);
      break;
    }
    case 'question':
      if (message.question && typeof message.question.id === 'number') {
        const isNew = !state.questions.has(message.question.id);
        state.questions.set(message.question.id, message.question);
        if (isNew && message.question.status === 'pending') flashNew(message.question.id);
      }
      break;
    case 'question_removed':
      state.questions.delete(message.id);
      if (state.editing === message.id) state.editing = null;
      if (state.merging === message.id) state.merging = null;
      break;
    case 'questions_queue':
      if (Array.isArray(message.queue)) state.queue = message.queue.slice();
      if (message.counters) state.counters = { ...state.counters, ...message.counters };
      if (typeof message.prescreen === 'boolean') state.prescreen = message.prescreen;
      break;
    case 'error':
      say('error', message.message || `Message refusé par le serveur (${message.status || message.code}).`);
      break;
    default:
      return;
  }
  renderAll();
}

const fresh = new Set();
function flashNew(id) {
  fresh.add(id);
  setTimeout(() => {
    fresh.delete(id);
    const card = cards.get(id);
    if (card) card.root.classList.remove('fresh');
  }, 4000);
}

// ---------------------------------------------------------------------------------------
// Commands

async function command(type, params, { after } = {}) {
  const key = `${type}:${params.question ?? ''}`;
  if (state.busy.has(key)) return false;
  state.busy.add(key);
  renderAll();
  const result = await link.send(type, params);
  state.busy.delete(key);
  const ok = result.status === 'ok';
  if (ok) {
    const text = SUCCESS_TEXT[type];
    say('ok', text ? text(params) : 'Fait.');
    if (after) after();
  } else {
    say('error', result.message || `Commande refusée (${result.status || result.code}).`);
  }
  renderAll();
  return ok;
}

// Keeps the keyboard flow going: once the selected question leaves the pending list, the
// next one waiting is selected. Returns what to call once the command succeeded (the
// neighbour is chosen now: the question's new view may arrive before the result).
function moveOnFrom(id) {
  const view = state.questions.get(id);
  if (state.selected !== id || !view || view.status !== 'pending') return () => {};
  const pending = listIds().pending;
  const at = pending.indexOf(id);
  const neighbours = [...pending.slice(at + 1), ...pending.slice(0, Math.max(0, at)).reverse()];
  return () => {
    if (state.selected !== id) return;  // the moderator moved on already
    const next = neighbours.find((n) => state.questions.get(n)?.status === 'pending');
    if (next !== undefined) state.selected = next;
  };
}

function act(action, id) {
  const view = state.questions.get(id);
  if (!view) return;
  const moveOn = moveOnFrom(id);
  switch (action) {
    case 'approve': command('question.approve', { question: id }, { after: moveOn }); break;
    case 'reject': command('question.reject', { question: id }, { after: moveOn }); break;
    case 'restore': command('question.restore', { question: id }); break;
    case 'written': command('question.written_reply', { question: id }, { after: moveOn }); break;
    case 'top': command('question.move', { question: id, to: 'top' }); break;
    case 'up': command('question.move', { question: id, to: 'up' }); break;
    case 'down': command('question.move', { question: id, to: 'down' }); break;
    case 'off_air': command('question.off_air', { question: id }); break;
    case 'edit': startEdit(id); break;
    case 'merge': startMerge(id); break;
    case 'delete': armOrRun(`delete:${id}`, () => command('question.delete', { question: id }, { after: moveOn }),
      `Supprimer la question n° ${id} ? Son texte sera effacé. Cliquez une seconde fois dans les 5 s pour confirmer.`); break;
    default: break;
  }
}

function armOrRun(key, run, question) {
  if (state.confirming.has(key)) {
    clearTimeout(state.confirming.get(key));
    state.confirming.delete(key);
    run();
    return;
  }
  state.confirming.set(key, setTimeout(() => {
    state.confirming.delete(key);
    renderAll();
  }, CONFIRM_WINDOW_MS));
  say('info', question);
  renderAll();
}

function startEdit(id) {
  const view = state.questions.get(id);
  if (!view || !['pending', 'approved', 'on_air', 'rejected'].includes(view.status)) return;
  state.editing = id;
  state.merging = null;
  state.selected = id;
  renderAll();
  const card = cards.get(id);
  if (card) {
    card.editText.value = view.text || '';
    renderEditCounter(card);
    card.editText.focus();
    card.editText.setSelectionRange(card.editText.value.length, card.editText.value.length);
  }
}

function cancelEdit() {
  const id = state.editing;
  state.editing = null;
  renderAll();
  focusCard(id);
}

function submitEdit(id, approve) {
  const card = cards.get(id);
  const view = state.questions.get(id);
  if (!card || !view) return;
  const text = card.editText.value.trim();
  if (!text) {
    say('error', 'Le texte de la question est vide : écrivez-le, ou rejetez la question.');
    return;
  }
  if (characters(text) > MAX_LENGTH) {
    say('error', `Le texte est trop long : ${characters(text)} caractères, ${MAX_LENGTH} au plus.`);
    return;
  }
  const moveOn = approve ? moveOnFrom(id) : () => {};
  const done = () => {
    state.editing = null;
    moveOn();
  };
  if (approve) command('question.approve', { question: id, text }, { after: done });
  else command('question.edit', { question: id, text }, { after: done });
}

function startMerge(id) {
  state.merging = id;
  state.editing = null;
  state.selected = id;
  renderAll();
  const card = cards.get(id);
  if (card) card.mergeSelect.focus();
}

function submitMerge(id) {
  const card = cards.get(id);
  const into = card ? Number(card.mergeSelect.value) : NaN;
  if (!Number.isInteger(into) || into <= 0) {
    say('error', 'Choisissez la question avec laquelle regrouper celle-ci.');
    return;
  }
  command('question.merge', { question: id, into }, { after: () => { state.merging = null; } });
}

async function setPrescreen(enabled) {
  const box = byTestId('prescreen');
  box.disabled = true;
  const ok = await command('questions.prescreen', { enabled });
  if (ok) state.prescreen = enabled;
  box.disabled = false;
  renderToolbar();
}

async function download(kind) {
  const path = kind === 'csv' ? '/api/questions.csv' : '/api/questions.json';
  const button = byTestId(`export-${kind}`);
  button.disabled = true;
  try {
    const response = await fetch(path, { headers: { Authorization: `Bearer ${state.token}` }, cache: 'no-store' });
    if (response.status === 401) {
      say('error', 'Le serveur ne reconnaît plus la clé de cette page : rouvrez le lien du modérateur.');
      return;
    }
    if (!response.ok) {
      say('error', `L'export a échoué (erreur ${response.status}) : réessayez dans un instant.`);
      return;
    }
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const date = new Date().toISOString().slice(0, 10);
    const name = `questions-${(state.meetingId || date).replace(/[^A-Za-z0-9_.-]/g, '_')}.${kind}`;
    const a = el('a', { href: url, download: name, hidden: true });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    say('ok', `Export ${kind.toUpperCase()} enregistré : ${name}.`);
  } catch {
    say('error', 'L\'export a échoué : pas de réponse du serveur. Vérifiez la connexion, puis réessayez.');
  } finally {
    button.disabled = false;
  }
}

// ---------------------------------------------------------------------------------------
// Lists and cards

// The four lists, whatever their origin; the queue in the mayor's order.
function allListIds() {
  const all = [...state.questions.values()];
  const byId = (a, b) => a.id - b.id;
  const queue = state.queue.filter((id) => {
    const v = state.questions.get(id);
    return v && (v.status === 'approved' || v.status === 'on_air');
  });
  // Approved ones the queue message has not listed yet stay visible, at the end.
  for (const v of all.filter((q) => (q.status === 'approved' || q.status === 'on_air') && !queue.includes(q.id)).sort(byId)) {
    queue.push(v.id);
  }
  return {
    pending: all.filter((v) => v.status === 'pending').sort(byId).map((v) => v.id),
    queue,
    rejected: all.filter((v) => v.status === 'rejected').sort(byId).map((v) => v.id),
    done: all.filter((v) => ['answered', 'written_reply', 'merged'].includes(v.status)).sort((a, b) => b.id - a.id).map((v) => v.id),
  };
}

// What the lists show: the origin filter applied. The queue keeps the mayor's order (a
// card's rank stays its place in the whole queue: see renderLists).
function listIds() {
  const ids = allListIds();
  if (!state.origin) return ids;
  const kept = (id) => originOf(state.questions.get(id)) === state.origin;
  return {
    pending: ids.pending.filter(kept), queue: ids.queue.filter(kept), rejected: ids.rejected.filter(kept), done: ids.done.filter(kept),
  };
}

function flatOrder() {
  const ids = listIds();
  return [...ids.pending, ...ids.queue, ...ids.rejected, ...ids.done];
}

const cards = new Map();  // id → card

function buildCard(id) {
  const card = { id, actionsKey: '' };
  card.idTag = el('span', { class: 'qid', text: `n° ${id}` });
  card.origin = el('span', { class: 'origin', testid: 'q-origin' });
  card.time = el('span', { class: 'time' });
  card.status = el('span', { class: 'status', testid: 'q-status' });
  card.rank = el('span', { class: 'rank', testid: 'q-rank' });
  card.votes = el('span', { class: 'votes', testid: 'q-votes' });
  card.flags = el('span', { class: 'flags', testid: 'q-flags' });
  card.text = el('p', { class: 'q-text', testid: 'q-text' });
  card.originalText = el('span', { class: 'original-text', testid: 'q-original-text' });
  card.original = el('p', { class: 'q-original', testid: 'q-original' },
    el('span', { class: 'original-label', text: 'Texte envoyé : ' }), card.originalText);
  card.who = el('p', { class: 'q-who', testid: 'q-who' });
  card.merged = el('p', { class: 'q-merged' });

  card.editText = el('textarea', { class: 'edit-text', testid: 'edit-text', rows: 3, 'aria-label': 'Texte de la question' });
  card.editCounter = el('span', { class: 'edit-counter', testid: 'edit-counter' });
  card.editApprove = el('button', { type: 'button', class: 'primary small', testid: 'edit-approve', onclick: () => submitEdit(id, true) },
    'Approuver ce texte');
  card.editSave = el('button', { type: 'button', class: 'small', testid: 'edit-save', onclick: () => submitEdit(id, false) },
    'Enregistrer');
  card.editCancel = el('button', { type: 'button', class: 'small quiet', testid: 'edit-cancel', onclick: cancelEdit }, 'Annuler');
  card.editText.addEventListener('input', () => renderEditCounter(card));
  card.editText.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      cancelEdit();
    } else if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      const view = state.questions.get(id);
      submitEdit(id, Boolean(view) && (view.status === 'pending' || view.status === 'rejected'));
    }
  });
  card.editor = el('div', { class: 'editor', testid: 'editor', hidden: true },
    card.editText,
    el('div', { class: 'editor-row' }, card.editCounter, card.editCancel, card.editSave, card.editApprove));

  card.mergeSelect = el('select', { class: 'merge-select', testid: 'merge-target', 'aria-label': 'Question avec laquelle regrouper' });
  card.mergeSelect.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') {
      state.merging = null;
      renderAll();
      focusCard(id);
    }
  });
  card.merger = el('div', { class: 'merger', testid: 'merger', hidden: true },
    el('span', { class: 'merge-label', text: 'Regrouper avec :' }), card.mergeSelect,
    el('button', { type: 'button', class: 'small primary', testid: 'merge-confirm', onclick: () => submitMerge(id) }, 'Regrouper'),
    el('button', { type: 'button', class: 'small quiet', testid: 'merge-cancel', onclick: () => { state.merging = null; renderAll(); } }, 'Annuler'));

  card.actions = el('div', { class: 'actions' });
  card.root = el('article', { class: 'qcard', testid: 'question-card', tabindex: '-1', dataset: { id: String(id) } },
    el('header', { class: 'q-head' }, card.rank, card.idTag, card.origin, card.status, card.flags, card.time, card.votes),
    card.text, card.original, card.who, card.merged, card.editor, card.merger, card.actions);
  card.root.addEventListener('click', (event) => {
    if (event.target.closest('button, textarea, select, input, a')) return;
    select(id);
  });
  return card;
}

function renderEditCounter(card) {
  const n = characters(card.editText.value.trim());
  setText(card.editCounter, `${n} / ${MAX_LENGTH}`);
  card.editCounter.dataset.over = String(n > MAX_LENGTH);
}

const ACTIONS = {
  approve: { label: 'Approuver', en: 'approve', key: 'a', primary: true },
  edit: { label: 'Modifier', en: 'edit', key: 'e' },
  reject: { label: 'Rejeter', en: 'reject', key: 'r' },
  restore: { label: 'Restaurer', en: 'restore' },
  written: { label: 'Réponse écrite', en: 'written reply', key: 'w' },
  top: { label: '⤒ En tête', en: 'to top', key: 't' },
  up: { label: '↑', en: 'up', title: 'Monter d\'un rang' },
  down: { label: '↓', en: 'down', title: 'Descendre d\'un rang' },
  merge: { label: 'Regrouper…', en: 'merge' },
  off_air: { label: 'Retirer de l\'antenne', en: 'off air' },
  delete: { label: 'Supprimer', en: 'delete', danger: true },
};

function actionsFor(view, rank, count) {
  switch (view.status) {
    case 'pending': return ['approve', 'edit', 'reject', 'written', 'merge', 'delete'];
    case 'approved': return ['edit', 'top', 'up', 'down', 'reject', 'written', 'merge', 'delete']
      .filter((a) => !((a === 'top' || a === 'up') && rank === 0) && !(a === 'down' && rank === count - 1));
    case 'on_air': return ['edit', 'off_air', 'delete'];
    case 'rejected': return ['restore', 'approve', 'delete'];
    default: return ['delete'];
  }
}

function timeOf(ms) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  return new Date(ms).toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' });
}

function updateCard(card, view, rank, count) {
  const root = card.root;
  root.dataset.status = view.status;
  root.dataset.selected = String(state.selected === view.id);
  root.setAttribute('aria-current', state.selected === view.id ? 'true' : 'false');
  root.classList.toggle('fresh', fresh.has(view.id));
  root.dataset.rank = rank === null || rank === undefined ? '' : String(rank);
  setText(card.rank, rank === null || rank === undefined ? '' : String(rank + 1));
  show(card.rank, rank !== null && rank !== undefined);
  card.rank.title = rank === null || rank === undefined ? '' : `Place dans la file : ${rank + 1}`;
  const origin = originOf(view);
  root.dataset.origin = origin;
  card.origin.dataset.origin = origin;
  setText(card.origin, ORIGIN_NAMES[origin]);
  card.origin.title = ORIGIN_TITLES[origin];
  setText(card.status, view.status_label || STATUS_LABELS[view.status] || view.status);
  card.status.dataset.status = view.status;
  setText(card.time, timeOf(view.asked_ms));
  const votes = Number(view.votes) || 0;
  setText(card.votes, votes ? `${votes} soutien${votes > 1 ? 's' : ''}` : '');
  const flags = Array.isArray(view.flags) ? view.flags : [];
  const flagsKey = flags.join(',');
  if (card.flags.dataset.key !== flagsKey) {
    card.flags.dataset.key = flagsKey;
    card.flags.replaceChildren(...flags.map((f) => {
      const known = FLAG_LABELS[f] || { fr: f, en: f, title: '' };
      return el('span', { class: 'flag', testid: 'flag', dataset: { flag: f }, title: known.title, text: known.fr });
    }));
  }
  root.dataset.flagged = String(flags.length > 0);
  setText(card.text, view.text || '');
  const original = typeof view.original === 'string' && view.original !== '' && view.original !== view.text ? view.original : '';
  setText(card.originalText, original);
  show(card.original, Boolean(original));
  const who = [view.pseudonym, view.place].filter(Boolean).join(' · ');
  setText(card.who, who);
  show(card.who, Boolean(who));
  const into = view.merged_into;
  setText(card.merged, view.status === 'merged' && into ? `Regroupée avec la question n° ${into}.` : '');
  show(card.merged, view.status === 'merged' && Boolean(into));

  // The editor
  const editing = state.editing === view.id;
  show(card.editor, editing);
  if (editing) {
    const approvable = view.status === 'pending' || view.status === 'rejected';
    show(card.editApprove, approvable);
    show(card.editSave, view.status !== 'rejected');
    card.editSave.classList.toggle('primary', !approvable);
    card.editApprove.disabled = state.busy.has(`question.approve:${view.id}`) || !link.connected;
    card.editSave.disabled = state.busy.has(`question.edit:${view.id}`) || !link.connected;
    renderEditCounter(card);
  }
  // The merge picker
  const merging = state.merging === view.id;
  show(card.merger, merging);
  if (merging) {
    const targets = [...state.questions.values()]
      .filter((q) => q.id !== view.id && ['pending', 'approved', 'on_air'].includes(q.status))
      .sort((a, b) => a.id - b.id);
    const key = targets.map((q) => `${q.id}:${q.text}`).join('\n');
    if (card.mergeSelect.dataset.key !== key) {
      const keep = card.mergeSelect.value;
      card.mergeSelect.dataset.key = key;
      const excerpt = (text) => { const c = [...(text || '')]; return c.length > 70 ? `${c.slice(0, 70).join('')}…` : c.join(''); };
      card.mergeSelect.replaceChildren(
        el('option', { value: '', text: targets.length ? '— choisir —' : 'aucune autre question' }),
        ...targets.map((q) => el('option', { value: String(q.id), text: `n° ${q.id} (${STATUS_LABELS[q.status] || q.status}) — ${excerpt(q.text)}` })));
      card.mergeSelect.value = keep;
    }
  }
  // The buttons
  const list = actionsFor(view, rank, count);
  const key = JSON.stringify([list, [...state.confirming.keys()].filter((k) => k.endsWith(`:${view.id}`)), link.connected,
    [...state.busy].filter((k) => k.endsWith(`:${view.id}`))]);
  if (card.actionsKey !== key) {
    card.actionsKey = key;
    card.actions.replaceChildren(...list.map((action) => {
      const a = ACTIONS[action];
      const armed = action === 'delete' && state.confirming.has(`delete:${view.id}`);
      const button = el('button', {
        type: 'button',
        class: ['small', a.primary ? 'primary' : '', a.danger ? 'danger' : '', armed ? 'armed' : ''].join(' ').trim(),
        testid: `act-${action.replace('_', '-')}`,
        title: [a.title, a.key ? `raccourci : ${a.key}` : ''].filter(Boolean).join(' — ') || undefined,
        onclick: () => {
          select(view.id, false);
          act(action, view.id);
        },
      }, el('span', { class: 'label', text: armed ? 'Confirmer ?' : a.label }), el('span', { class: 'en', lang: 'en', text: a.en }));
      button.disabled = !link.connected || [...state.busy].some((k) => k.endsWith(`:${view.id}`));
      return button;
    }));
  }
}

// `queue`: for the queue's list, the whole queue (a card's rank is its place in it, even
// when the origin filter hides the ones before it).
function fillList(testid, ids, queue = null) {
  const list = byTestId(testid);
  const nodes = ids.map((id) => {
    let card = cards.get(id);
    if (!card) {
      card = buildCard(id);
      cards.set(id, card);
    }
    updateCard(card, state.questions.get(id), queue ? queue.indexOf(id) : null, queue ? queue.length : ids.length);
    return card.root;
  });
  const same = nodes.length === list.children.length && nodes.every((n, i) => list.children[i] === n);
  if (!same) list.replaceChildren(...nodes);
  const empty = byTestId(testid.replace('-list', '-empty'));
  if (empty.dataset.text === undefined) empty.dataset.text = empty.textContent;
  setText(empty, state.origin
    ? `${empty.dataset.text.replace(/\.$/, '')} — filtre : ${ORIGIN_NAMES[state.origin]}.` : empty.dataset.text);
  show(empty, ids.length === 0);
}

function select(id, focus = true) {
  state.selected = id;
  renderLists();
  if (focus) focusCard(id);
}

function focusCard(id) {
  const card = cards.get(id);
  if (!card) return;
  card.root.scrollIntoView({ block: 'nearest' });
  if (!card.root.contains(document.activeElement)) card.root.focus({ preventScroll: true });
}

// ---------------------------------------------------------------------------------------
// Rendering

function renderAll() {
  renderHeader();
  renderToolbar();
  renderOrigins();
  renderLists();
}

function renderHeader() {
  const meeting = state.meeting || {};
  setText(byTestId('commune'), meeting.commune || 'Tribune');
  document.title = `Modération — ${meeting.commune || 'Tribune'}`;
  const s = state.session ? state.session.state : '';
  const badge = byTestId('session-badge');
  badge.dataset.state = s;
  document.body.dataset.session = s;
  setText(badge, state.session ? state.session.label || SESSION_LABELS[s] || s : '…');
  const heard = state.session && state.session.public_may_be_heard;
  setText(byTestId('air-hint'), !state.session ? ''
    : heard ? ' — Le maire peut passer une question à l\'antenne.'
      : ' — Délibération : aucune question à l\'antenne pour l\'instant.');
}

function renderToolbar() {
  for (const kind of ['pending', 'approved', 'answered', 'rejected']) {
    setText(byTestId(`counter-${kind}`), String(state.counters[kind] ?? 0));
  }
  const box = byTestId('prescreen');
  if (!state.busy.has('questions.prescreen:')) {  // while switching, the box shows the wish
    box.checked = Boolean(state.prescreen);
    box.disabled = !link.connected;
  }
  box.setAttribute('aria-checked', String(box.checked));
  setText(byTestId('prescreen-hint'), state.prescreen
    ? 'Chaque question attend votre accord.'
    : 'Publiées directement, sauf les questions signalées.');
}

function renderLists() {
  const ids = listIds();
  const visible = new Set([...ids.pending, ...ids.queue, ...ids.rejected, ...ids.done]);
  for (const id of [...cards.keys()]) if (!visible.has(id)) cards.delete(id);
  if (state.selected !== null && !visible.has(state.selected)) state.selected = null;
  if (state.editing !== null && !visible.has(state.editing)) state.editing = null;
  const focused = document.activeElement;
  const focusWasOnCards = !focused || focused === document.body || Boolean(focused.closest('[data-testid="moderation"]'));
  fillList('pending-list', ids.pending);
  fillList('queue-list', ids.queue, allListIds().queue);
  fillList('rejected-list', ids.rejected);
  fillList('done-list', ids.done);
  // A card that moved to another list lost the focus on the way: give it back to the
  // selection, so that the keyboard keeps its place.
  if (focusWasOnCards && (!document.activeElement || document.activeElement === document.body)) {
    const card = state.selected !== null ? cards.get(state.selected) : null;
    if (card && state.editing === null && state.merging === null) card.root.focus({ preventScroll: true });
  }
}

function renderConnection() {
  if (!link) return;
  const node = byTestId('connection');
  const kind = link.state;
  node.dataset.state = kind;
  document.body.dataset.connection = kind;
  setText(node.querySelector('.connection-text'),
    kind === 'connected' ? 'Connecté' : kind === 'standby' ? 'En veille' : kind === 'connecting' ? (link.everConnected ? 'Reconnexion…' : 'Connexion…') : kind === 'stopped' ? 'Non connecté' : 'Déconnecté');
  if (kind === 'lost' && link.everConnected) say('error', 'Connexion au serveur perdue : reconnexion automatique en cours.');
  show(byTestId('banner'), link.everConnected && kind !== 'connected' && kind !== 'standby' && kind !== 'stopped');
  renderBanner();
  if (kind !== 'stopped') renderAll();
}

function renderBanner() {
  if (!link || !link.everConnected || link.connected || link.standby) return;
  const wait = link.secondsToRetry();
  let text = wait > 0 ? `Nouvel essai dans ${wait} s.` : 'Nouvel essai…';
  if (link.attempt >= 4) text += ' Tribune est-il toujours lancé ? Prévenez le technicien.';
  setText(byTestId('banner-detail'), text);
}

// ---------------------------------------------------------------------------------------
// Origins: the filter's choices carry the counters ("à modérer / reçues" for each origin).
// Until a question comes from a platform, the filter and the "Site" badges stay hidden: a
// commune without platform chat sees the page as before.

function originCounts() {
  const counts = Object.fromEntries(['', ...ORIGINS].map((origin) => [origin, { pending: 0, received: 0 }]));
  for (const view of state.questions.values()) {
    for (const origin of ['', originOf(view)]) {
      counts[origin].received += 1;
      if (view.status === 'pending') counts[origin].pending += 1;
    }
  }
  return counts;
}

function renderOrigins() {
  const counts = originCounts();
  const mixed = ORIGINS.some((origin) => origin !== 'site' && counts[origin].received > 0);
  document.body.dataset.mixed = String(mixed);
  const filter = byTestId('origin-filter');
  show(filter, mixed || state.origin !== '');
  for (const input of filter.querySelectorAll('input[name="origin"]')) {
    const origin = input.value;
    const { pending, received } = counts[origin];
    setText(byTestId(`origin-count-${origin || 'all'}`), `${pending} / ${received}`);
    const choice = input.closest('.origin-choice');
    const from = !origin ? 'En tout' : origin === 'site' ? 'Page des questions' : ORIGIN_NAMES[origin];
    choice.title = `${from} : ${pending} à modérer, ${received} reçue${received > 1 ? 's' : ''}`;
    // A platform with no question yet takes no room (unless it is the filter chosen).
    show(choice, origin === '' || origin === 'site' || received > 0 || state.origin === origin);
    if (input.checked !== (state.origin === origin)) input.checked = state.origin === origin;
  }
}

function setOriginFilter(origin) {
  state.origin = ORIGINS.includes(origin) ? origin : '';
  renderAll();
  const { pending } = originCounts()[state.origin];
  say('info', state.origin
    ? `Filtre : seulement les questions ${ORIGIN_FROM[state.origin]} (${pending} à modérer).`
    : `Filtre retiré : toutes les questions (${pending} à modérer).`);
}

// ---------------------------------------------------------------------------------------
// Keyboard: j/k select, a approve, r reject, e edit, w written reply, t to top.

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.closest('textarea, input, select, [contenteditable="true"]'))) return;
  if (!link || !link.connected) return;
  const key = event.key.toLowerCase();
  const order = flatOrder();
  if (key === 'j' || key === 'k') {
    event.preventDefault();
    if (order.length === 0) return;
    const at = order.indexOf(state.selected);
    const next = at < 0 ? (key === 'j' ? 0 : order.length - 1) : Math.min(order.length - 1, Math.max(0, at + (key === 'j' ? 1 : -1)));
    select(order[next]);
    return;
  }
  if (key === 'escape') {
    if (state.merging !== null) {
      state.merging = null;
      renderAll();
    }
    return;
  }
  const id = state.selected;
  const view = id === null ? null : state.questions.get(id);
  if (!view) return;
  const allowed = {
    a: ['pending', 'rejected'],
    r: ['pending', 'approved'],
    e: ['pending', 'approved', 'on_air', 'rejected'],
    w: ['pending', 'approved'],
    t: ['approved', 'on_air'],
  }[key];
  if (!allowed) return;
  event.preventDefault();
  if (!allowed.includes(view.status)) {
    say('info', `La question n° ${id} est « ${view.status_label || STATUS_LABELS[view.status]} » : ce raccourci ne s'y applique pas.`);
    return;
  }
  act({ a: 'approve', r: 'reject', e: 'edit', w: 'written', t: 'top' }[key], id);
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  state.token = takeToken(TOKEN_KEY);
  byTestId('prescreen').addEventListener('change', (event) => setPrescreen(event.target.checked));
  byTestId('export-csv').addEventListener('click', () => download('csv'));
  byTestId('export-json').addEventListener('click', () => download('json'));
  for (const input of byTestId('origin-filter').querySelectorAll('input[name="origin"]')) {
    input.addEventListener('change', () => { if (input.checked) setOriginFilter(input.value); });
  }
  document.addEventListener('keydown', onKey);
  if (!state.token) {
    showGate('no-token');
    return;
  }
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
  renderAll();
  link.start();
}

start();
