// Tribune — the console's meetings (tribune serve, docs/SCHEDULE.md): in standby the list of
// meetings with their states, "Démarrer maintenant" and "Supprimer", "Nouvelle séance" (a
// form, the agenda from a file or pasted text) and its review screen (what was understood, in
// an editable table, beside the problems and the text read); during a meeting, "Arrêter la
// séance". Plain ES module; every text from the server or from a file becomes a text node
// (el, setText), never markup.
//
//   const meetings = createMeetings({ api, say });
//   meetings.standby(message);   // the link's `standby` answer (its `schedule`)
//   meetings.meeting(serve);     // a meeting's welcome: the standby screen goes away

import {
  byTestId, el, frenchDay, frenchTime, jsonCall, refusalText, setText, show,
} from '../shared/tribune-connection.js';

const STATE_LABELS = {
  planned: 'prévue', running: 'en cours', stopped: 'arrêtée', done: 'terminée', failed: 'échec', missed: 'manquée',
};
const KINDS = [
  ['deliberation', 'Délibération'], ['information', 'Information'], ['question_diverse', 'Question diverse'],
];
const FIELD_NAMES = { number: 'numéro', title: 'titre', rapporteur: 'rapporteur', kind: 'nature' };
const MEETING_FIELDS = { title: 'titre', date: 'date', time: 'heure', place: 'lieu', commune: 'commune' };
const COUNCILLOR_FIELDS = { id: 'identifiant', name: 'nom', role: 'fonction', group: 'groupe' };
const CONFIRM_WINDOW_MS = 5000;
const REFRESH_MS = 30000;
// Where console.js keeps the technician's token for this tab (takeToken), read for the
// "Réglages" link.
const TOKEN_KEY = 'tribune.console.token';

// ---------------------------------------------------------------------------------------
// The agenda's text, read line by line as docs/AGENDA.md "Plain text" says, for the review
// table when the server refused the text as a whole (its problems then come without an
// agenda). The server checks the corrected agenda again when it is saved.

const SUFFIXES = 'bis|ter|quater|quinquies|sexies|septies|octies|novies|nonies|decies';
const NUMBERED = new RegExp(
  `^(QD\\s*\\d+|\\d+\\s*(?:${SUFFIXES})|\\d+[a-z]|\\d+)\\s*(?:--|[.):\\-–—])(?:\\s+|$)`, 'i');

export function readAgendaLines(text) {
  const rows = [];
  String(text || '').replace(/^\uFEFF/, '').split(/\r\n|\r|\n/).forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    let number = '';
    let rest = line;
    const match = NUMBERED.exec(line);
    if (match) {
      number = match[1].replace(/\s+/g, ' ');
      rest = line.slice(match[0].length).trim();
    }
    let title = rest;
    let rapporteur = '';
    const dashes = [...rest.matchAll(/\s(—|–|--)\s/g)];
    if (dashes.length) {
      const last = dashes[dashes.length - 1];
      title = rest.slice(0, last.index).trim();
      rapporteur = rest.slice(last.index + last[0].length).trim();
    }
    let kind = 'deliberation';
    if (/^QD/i.test(number) || /^questions?\s+diverses?\b/i.test(title)) kind = 'question_diverse';
    else if (/^(informations?\b|infos?\s*:)/i.test(title)) kind = 'information';
    rows.push({ number, title, rapporteur, kind, line: index + 1 });
  });
  return rows;
}

// "ligne 7" stays as the server says it, "items[2].title" → "point 3 (titre)", "meeting.date"
// → "séance : date".
export function frenchPlace(where) {
  const w = String(where || '');
  let m = /^ligne (\d+)(?:, colonne (\d+))?$/.exec(w);
  if (m) return m[2] ? `ligne ${m[1]}, colonne ${m[2]}` : `ligne ${m[1]}`;
  m = /^items\[(\d+)\](?:\.(\w+))?$/.exec(w);
  if (m) return `point ${Number(m[1]) + 1}${m[2] ? ` (${FIELD_NAMES[m[2]] || m[2]})` : ''}`;
  m = /^meeting\.(\w+)$/.exec(w);
  if (m) return `séance : ${MEETING_FIELDS[m[1]] || m[1]}`;
  m = /^councillors(?:\[(\d+)\](?:\.(\w+))?)?$/.exec(w);
  if (m) return m[1] === undefined ? 'élus' : `élu ${Number(m[1]) + 1}${m[2] ? ` (${COUNCILLOR_FIELDS[m[2]] || m[2]})` : ''}`;
  if (w === '$' || w === '') return 'ordre du jour';
  return w;
}

function whenText(date, time) {
  return [frenchDay(date), time ? `à ${frenchTime(time)}` : ''].filter(Boolean).join(' ');
}

function clockText(ms) {
  const d = new Date(ms);
  const today = new Date();
  const day = d.toDateString() === today.toDateString() ? 'aujourd\'hui'
    : new Intl.DateTimeFormat('fr-FR', { weekday: 'long', day: 'numeric', month: 'long' }).format(d);
  const time = d.toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' }).replace(':', ' h ');
  return `${day} à ${time}`;
}

function untilText(ms) {
  const s = Math.max(0, Math.round((ms - Date.now()) / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `dans ${d} j ${h} h`;
  if (h > 0) return `dans ${h} h ${String(m).padStart(2, '0')} min`;
  if (m > 0) return `dans ${m} min`;
  return `dans ${s} s`;
}

// A meeting's state as the list shows it: "manquée" for a planned one whose time passed.
export function stateOf(meeting) {
  if (meeting.state === 'planned' && meeting.missed) return 'missed';
  return meeting.state;
}

export function createMeetings({ api, say }) {
  const ui = {
    standby: byTestId('standby'),
    console: byTestId('console'),
    stop: byTestId('schedule-stop'),
    next: byTestId('standby-next'),
    auto: byTestId('standby-auto'),
    message: byTestId('meetings-message'),
    list: byTestId('meetings-list'),
    empty: byTestId('meetings-empty'),
    form: byTestId('new-meeting-form'),
    formMessage: byTestId('form-message'),
    review: byTestId('review'),
    reviewMessage: byTestId('review-message'),
    items: byTestId('review-items'),
    problems: byTestId('review-problems'),
    noProblem: byTestId('review-no-problem'),
    source: byTestId('review-source'),
  };
  const state = {
    mode: 'unknown',      // 'standby' | 'meeting'
    schedule: null,       // GET /api/schedule's answer
    revision: null,       // the revision the page loaded: every edit names it
    rows: [],             // the review's items: {number, title, rapporteur, kind, line}
    sourceLines: [],      // the text read, for the review
    problems: [],         // [{where, message}]
    meeting: null,        // the agenda's meeting as the server read it (commune…)
    councillors: [],      // the review's roster: {id, name, role, group}, saved with the agenda
    editing: null,        // the planned meeting whose saved agenda the review edits: {id}
    files: new Map(),     // meeting id → its files panel: {files} | {error} | {loading}
    confirming: new Map(), // button → {timer, label}: armed for a second click
    refreshTimer: null,
  };

  // --- the server's word -------------------------------------------------------------

  const call = (method, path, body, headers = {}) => jsonCall(api, method, path, body, headers);
  const errorText = refusalText;

  async function loadSchedule() {
    const reply = await call('GET', '/api/schedule');
    if (reply.status !== 200) return false;  // tribune run: no schedule
    applySchedule(reply.body);
    return true;
  }

  function applySchedule(schedule) {
    state.schedule = schedule;
    if (typeof schedule.revision === 'number') state.revision = schedule.revision;
    show(ui.stop, state.mode === 'meeting' && Boolean(schedule.running));
    if (state.mode === 'standby') renderList();
  }

  function message(node, text, kind = 'error') {
    setText(node, text || '');
    node.dataset.severity = kind;
    show(node, Boolean(text));
  }

  // --- modes ------------------------------------------------------------------------

  function standby(answer) {
    state.mode = 'standby';
    document.body.dataset.mode = 'standby';
    show(ui.console, false);
    show(ui.standby, true);
    show(ui.stop, false);
    if (answer && answer.schedule) applySchedule(answer.schedule);
    else loadSchedule();
    clearInterval(state.refreshTimer);
    // Another console may change the list meanwhile, and a missed meeting is a matter of time.
    state.refreshTimer = setInterval(() => loadSchedule(), REFRESH_MS);
  }

  // `serve`: the welcome says the meeting is tribune serve's (its schedule answers).
  function meeting(serve) {
    state.mode = 'meeting';
    document.body.dataset.mode = 'meeting';
    clearInterval(state.refreshTimer);
    show(ui.standby, false);
    show(ui.console, true);
    // Under tribune serve the schedule says which meeting runs: the "Arrêter la séance"
    // button. Under tribune run there is no schedule (nor such a button).
    show(ui.stop, false);
    if (serve) loadSchedule();
  }

  // --- the list -----------------------------------------------------------------------

  function sorted(meetings) {
    const upcoming = [];
    const past = [];
    for (const m of meetings) {
      const s = stateOf(m);
      (s === 'running' || s === 'planned' ? upcoming : past).push(m);
    }
    const at = (m) => (typeof m.starts_at_ms === 'number' ? m.starts_at_ms : 0);
    upcoming.sort((a, b) => (b.state === 'running') - (a.state === 'running') || at(a) - at(b));
    past.sort((a, b) => at(b) - at(a));
    return [...upcoming, ...past];
  }

  function renderList() {
    const meetings = Array.isArray(state.schedule?.meetings) ? state.schedule.meetings : [];
    ui.list.replaceChildren(...sorted(meetings).flatMap((m) => [row(m), filesRow(m)]).filter(Boolean));
    show(ui.empty, meetings.length === 0);
    renderNext();
  }

  function row(m) {
    const s = stateOf(m);
    const stateCell = el('td', { class: 'meeting-state' },
      el('span', { class: 'state-tag', testid: 'meeting-state', dataset: { state: s } }, STATE_LABELS[s] || s));
    if (s === 'failed' && m.error) stateCell.append(el('div', { class: 'meeting-error', testid: 'meeting-error' }, m.error));
    if (s === 'planned' && typeof m.auto_start_at_ms === 'number') {
      stateCell.append(el('div', { class: 'hint', testid: 'meeting-auto' },
        `démarrage automatique ${clockText(m.auto_start_at_ms)}`));
    }
    const actions = el('td', { class: 'meeting-actions' });
    if (s !== 'running' && s !== 'done') {
      actions.append(el('button', {
        type: 'button', class: 'small', testid: 'meeting-start', onclick: (event) => startMeeting(m, event.currentTarget),
      }, 'Démarrer maintenant'));
    }
    actions.append(...editorButtons(m));
    if (s !== 'running') {
      actions.append(el('button', {
        type: 'button', class: 'small danger', testid: 'meeting-delete', onclick: (event) => deleteMeeting(m, event.currentTarget),
      }, 'Supprimer'));
    }
    const items = Array.isArray(m.items) ? m.items.length : (typeof m.items === 'number' ? m.items : null);
    return el('tr', { testid: 'meeting-row', dataset: { id: m.id, state: s } },
      el('td', { class: 'meeting-when' }, whenText(m.date, m.time)),
      el('td', {}, el('strong', { testid: 'meeting-row-title' }, m.title || ''),
        items !== null ? el('div', { class: 'hint' }, `${items} point${items > 1 ? 's' : ''}`) : null),
      el('td', {}, m.place || ''),
      stateCell,
      actions);
  }

  function nextPlanned() {
    const meetings = Array.isArray(state.schedule?.meetings) ? state.schedule.meetings : [];
    return meetings.filter((m) => stateOf(m) === 'planned' && typeof m.starts_at_ms === 'number')
      .sort((a, b) => a.starts_at_ms - b.starts_at_ms)[0] || null;
  }

  function renderNext() {
    if (state.mode !== 'standby') return;
    const next = nextPlanned();
    if (!next) {
      setText(ui.next, 'Aucune séance prévue : rien n\'est capté ni diffusé.');
      setText(ui.auto, '');
      return;
    }
    setText(ui.next, `Prochaine séance : ${next.title || ''}, ${whenText(next.date, next.time)}${next.place ? `, ${next.place}` : ''}`);
    setText(ui.auto, typeof next.auto_start_at_ms === 'number'
      ? `Démarrage automatique ${clockText(next.auto_start_at_ms)} (${untilText(next.auto_start_at_ms)}), avec le carton « début imminent ».`
      : '');
  }

  // A first click arms the button, a second one within 5 s acts.
  function armed(button, confirmText) {
    if (state.confirming.has(button)) {
      const { timer, label } = state.confirming.get(button);
      clearTimeout(timer);
      state.confirming.delete(button);
      button.classList.remove('armed');
      button.replaceChildren(...label);
      return true;
    }
    const label = [...button.childNodes];
    button.classList.add('armed');
    button.textContent = confirmText;
    const timer = setTimeout(() => {
      state.confirming.delete(button);
      button.classList.remove('armed');
      button.replaceChildren(...label);
    }, CONFIRM_WINDOW_MS);
    state.confirming.set(button, { timer, label });
    return false;
  }

  async function afterEdit(reply, okText) {
    if (reply.status === 200) {
      message(ui.message, '');
      say('ok', okText);
      await loadSchedule();
      return true;
    }
    message(ui.message, errorText(reply, 'Refusé par le serveur'));
    say('error', errorText(reply, 'Refusé par le serveur'));
    // Another console changed the list: show it as it is now (the next edit names it).
    if (reply.status === 409) await loadSchedule();
    return false;
  }

  async function deleteMeeting(m, button) {
    if (!armed(button, 'Confirmer la suppression')) return;
    button.disabled = true;
    const reply = await call('POST', `/api/schedule/${encodeURIComponent(m.id)}/delete`, { revision: state.revision });
    button.disabled = false;
    await afterEdit(reply, `Séance du ${whenText(m.date, m.time)} supprimée.`);
  }

  async function startMeeting(m, button) {
    button.disabled = true;
    const reply = await call('POST', `/api/schedule/${encodeURIComponent(m.id)}/start`);
    button.disabled = false;
    if (reply.status === 200) {
      message(ui.message, 'Démarrage de la séance : la console se reconnecte à elle dans un instant.', 'info');
      say('ok', 'Démarrage de la séance…');
      return;
    }
    await afterEdit(reply, '');
  }

  async function stopMeeting() {
    if (!armed(ui.stop, 'Confirmer : arrêter la séance')) return;
    ui.stop.disabled = true;
    const reply = await call('POST', '/api/schedule/stop');
    ui.stop.disabled = false;
    if (reply.status === 200) {
      say('ok', 'Arrêt de la séance : Tribune revient en veille, la console se reconnecte.');
    } else {
      say('error', errorText(reply, 'Arrêt refusé'));
    }
  }

  // --- "Nouvelle séance" --------------------------------------------------------------

  const field = (id) => byTestId(id).value.trim();

  function formMeeting() {
    return { title: field('meeting-title-input'), date: field('meeting-date'), time: field('meeting-time'), place: field('meeting-place') };
  }

  function openForm() {
    show(ui.form, true);
    show(ui.review, false);
    message(ui.formMessage, '');
    if (!field('meeting-date')) {
      const d = new Date(Date.now() + 86400000);
      byTestId('meeting-date').value = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
    }
    if (!field('meeting-time')) byTestId('meeting-time').value = '20:00';
    byTestId('meeting-title-input').focus();
  }

  function closeForm() {
    show(ui.form, false);
    show(ui.review, false);
  }

  async function readAgenda(event) {
    event.preventDefault();
    const meetingInfo = formMeeting();
    const missing = [['date', 'la date'], ['time', 'l\'heure']].filter(([k]) => !meetingInfo[k]).map(([, n]) => n);
    if (missing.length) {
      message(ui.formMessage, `Indiquez ${missing.join(' et ')} de la séance : elle démarre d'elle-même à cette heure.`);
      return;
    }
    const file = byTestId('agenda-file').files[0] || null;
    const text = byTestId('agenda-text').value;
    if (!file && !text.trim()) {
      message(ui.formMessage, 'Choisissez le fichier de la convocation ou collez le texte de l\'ordre du jour.');
      return;
    }
    message(ui.formMessage, 'Lecture de l\'ordre du jour…', 'info');
    if (file) await readFile(file, meetingInfo);
    else await readText(text, meetingInfo);
  }

  // The server reads the file (POST /api/schedule/preview): {text, agenda, problems}, or an
  // error with its French message (and, when the agenda in the text has problems, them and
  // the text).
  async function readFile(file, meetingInfo) {
    const query = new URLSearchParams({ name: file.name, ...meetingInfo });
    const reply = await call('POST', `/api/schedule/preview?${query}`, file, { 'Content-Type': 'application/octet-stream' });
    if (reply.status === 200) {
      const body = reply.body;
      const text = typeof body.text === 'string' ? body.text : '';
      review({ text, agenda: body.agenda || null, problems: Array.isArray(body.problems) ? body.problems : [] });
      return;
    }
    if (reply.status === 404 || reply.status === 405) {
      // A server without the convocation reader: a text or JSON file is read here instead.
      const lower = file.name.toLowerCase();
      if (lower.endsWith('.txt')) {
        await readText(await file.text(), meetingInfo);
        return;
      }
      if (lower.endsWith('.json')) {
        await readJson(await file.text());
        return;
      }
      message(ui.formMessage, 'Ce serveur ne sait pas encore lire les fichiers PDF, ODT ou DOCX : ouvrez la convocation, '
        + 'copiez son ordre du jour et collez-le dans la zone de texte (ou choisissez un fichier .txt ou .json).');
      return;
    }
    // The text was found but its agenda has problems: the review shows them with their lines.
    const problems = reply.body.problems;
    if (reply.status === 400 && Array.isArray(problems) && problems.length && typeof reply.body.text === 'string'
      && reply.body.text.trim()) {
      review({ text: reply.body.text, agenda: null, problems });
      return;
    }
    message(ui.formMessage, errorText(reply, 'Le fichier n\'a pas pu être lu'));
  }

  async function readJson(text) {
    let agenda;
    try {
      agenda = JSON.parse(text);
    } catch (error) {
      message(ui.formMessage, `Ce fichier n'est pas du JSON valable : ${error.message}`);
      return;
    }
    const reply = await call('POST', '/api/schedule', { revision: state.revision ?? 0, dry_run: true, agenda });
    if (reply.status === 200) {
      review({ text, agenda: reply.body.agenda, problems: [] });
    } else if (Array.isArray(reply.body.problems) && reply.body.problems.length) {
      review({ text, agenda: agenda && typeof agenda === 'object' ? agenda : null, problems: reply.body.problems });
    } else {
      message(ui.formMessage, errorText(reply, 'L\'ordre du jour n\'a pas pu être lu'));
    }
  }

  // The pasted text, read by the server without saving (dry_run): the agenda understood, or
  // every problem with its line.
  async function readText(text, meetingInfo) {
    const reply = await call('POST', '/api/schedule', {
      revision: state.revision ?? 0, dry_run: true, meeting: meetingInfo, agenda_text: text,
    });
    if (reply.status === 200) {
      review({ text, agenda: reply.body.agenda, problems: Array.isArray(reply.body.problems) ? reply.body.problems : [] });
    } else if (Array.isArray(reply.body.problems) && reply.body.problems.length) {
      review({ text, agenda: null, problems: reply.body.problems });
    } else {
      message(ui.formMessage, errorText(reply, 'L\'ordre du jour n\'a pas pu être lu'));
    }
  }

  // --- the review screen --------------------------------------------------------------

  function review({ text, agenda, problems }) {
    message(ui.formMessage, '');
    const lines = readAgendaLines(text);
    if (agenda && Array.isArray(agenda.items)) {
      state.rows = agenda.items.map((item, i) => ({
        number: String(item.number ?? ''),
        title: String(item.title ?? ''),
        rapporteur: String(item.rapporteur ?? ''),
        kind: typeof item.kind === 'string' ? item.kind : 'deliberation',
        line: lines.length === agenda.items.length ? lines[i].line : null,
      }));
      state.meeting = agenda.meeting && typeof agenda.meeting === 'object' ? agenda.meeting : null;
      // An agenda file's own roster replaces the one imported; otherwise the review keeps it.
      if (councillorsOf(agenda).length) state.councillors = councillorsOf(agenda);
    } else {
      state.rows = lines;
      state.meeting = null;
    }
    state.sourceLines = text ? String(text).split(/\r\n|\r|\n/) : [];
    state.problems = problems;
    show(ui.form, false);
    show(ui.review, true);
    message(ui.reviewMessage, '');
    setEditing(state.editing);
    renderReview();
  }

  function problemsOfRow(r, index) {
    return state.problems.filter((p) => {
      const w = String(p.where || '');
      const line = /^ligne (\d+)/.exec(w);
      if (line) return r.line !== null && Number(line[1]) === r.line;
      const item = /^items\[(\d+)\]/.exec(w);
      return item ? Number(item[1]) === index : false;
    });
  }

  function renderReview() {
    const m = formMeeting();
    setText(byTestId('review-meeting'),
      `${m.title || 'Conseil municipal'} — ${whenText(m.date, m.time)}${m.place ? `, ${m.place}` : ''} — ${state.rows.length} point${state.rows.length > 1 ? 's' : ''}`);
    ui.items.replaceChildren(...state.rows.map(itemRow));
    ui.problems.replaceChildren(...state.problems.map((p) => el('li', { testid: 'review-problem' },
      el('strong', { class: 'where' }, `${frenchPlace(p.where)} : `), String(p.message ?? ''))));
    show(ui.noProblem, state.problems.length === 0);
    const faulty = new Map();
    for (const p of state.problems) {
      const line = /^ligne (\d+)/.exec(String(p.where || ''));
      if (line) faulty.set(Number(line[1]), [...(faulty.get(Number(line[1])) || []), String(p.message ?? '')]);
    }
    ui.source.replaceChildren(...state.sourceLines.map((text, i) => {
      const said = faulty.get(i + 1);
      return el('li', { dataset: { line: String(i + 1), problem: said ? 'true' : 'false' } },
        el('span', { class: 'line-number' }, String(i + 1)),
        el('span', { class: 'line-text' }, text),
        said ? el('span', { class: 'line-problem' }, said.join(' ; ')) : null);
    }));
    // A saved agenda being edited has no text read.
    show(ui.source, state.sourceLines.length > 0);
    show(ui.source.previousElementSibling, state.sourceLines.length > 0);
    renderRoster();
  }

  function itemRow(r, index) {
    const problems = problemsOfRow(r, index);
    const input = (key, testid, size) => el('input', {
      type: 'text', testid, size, value: r[key],
      'aria-label': FIELD_NAMES[key],
      list: key === 'rapporteur' ? 'roster-names' : undefined,
      oninput: (event) => { r[key] = event.target.value; },
    });
    const kind = el('select', {
      class: 'small', testid: 'item-kind', 'aria-label': 'nature',
      onchange: (event) => { r.kind = event.target.value; },
    }, ...KINDS.map(([id, label]) => el('option', { value: id, selected: r.kind === id }, label)));
    const move = (delta) => {
      const to = index + delta;
      if (to < 0 || to >= state.rows.length) return;
      [state.rows[index], state.rows[to]] = [state.rows[to], state.rows[index]];
      renderReview();
    };
    return el('tr', { testid: 'review-item', dataset: { problem: problems.length ? 'true' : 'false' } },
      el('td', {}, input('number', 'item-number', 5)),
      el('td', {}, input('title', 'item-title', 40),
        ...problems.map((p) => el('div', { class: 'item-problem', testid: 'item-problem' },
          `${frenchPlace(p.where)} : ${String(p.message ?? '')}`))),
      el('td', {}, input('rapporteur', 'item-rapporteur', 22)),
      el('td', {}, kind),
      el('td', { class: 'item-buttons' },
        el('button', { type: 'button', class: 'small quiet', testid: 'item-up', title: 'Monter', 'aria-label': `Monter le point ${r.number || index + 1}`, disabled: index === 0, onclick: () => move(-1) }, '▲'),
        el('button', { type: 'button', class: 'small quiet', testid: 'item-down', title: 'Descendre', 'aria-label': `Descendre le point ${r.number || index + 1}`, disabled: index === state.rows.length - 1, onclick: () => move(1) }, '▼'),
        el('button', { type: 'button', class: 'small quiet danger', testid: 'item-remove', title: 'Retirer ce point', 'aria-label': `Retirer le point ${r.number || index + 1}`, onclick: () => {
          state.rows.splice(index, 1);
          renderReview();
        } }, '✕')));
  }

  // The agenda's meeting as the server reads the form's (with the configuration's commune):
  // a one-line dry run, when the review came from a text the server refused.
  async function serverMeeting() {
    if (state.meeting && state.meeting.commune) return { meeting: state.meeting };
    const reply = await call('POST', '/api/schedule', {
      revision: state.revision ?? 0, dry_run: true, meeting: formMeeting(), agenda_text: 'Point',
    });
    if (reply.status === 200 && reply.body.agenda?.meeting) return { meeting: reply.body.agenda.meeting };
    return { reply };
  }

  async function save() {
    const button = byTestId('review-save');
    button.disabled = true;
    try {
      const known = await serverMeeting();
      if (!known.meeting) {
        const problems = known.reply.body.problems;
        if (Array.isArray(problems) && problems.length) {
          state.problems = problems;  // the meeting's own (a date that does not exist…)
          renderReview();
        }
        message(ui.reviewMessage, errorText(known.reply, 'La séance n\'a pas pu être lue'));
        return;
      }
      const form = formMeeting();
      const meetingPart = { ...known.meeting, title: form.title || known.meeting.title, date: form.date, time: form.time };
      if (form.place) meetingPart.place = form.place;
      else delete meetingPart.place;
      const items = state.rows.map((r) => {
        const item = { title: r.title.trim(), kind: r.kind };
        if (r.number.trim()) item.number = r.number.trim();
        if (r.rapporteur.trim()) item.rapporteur = r.rapporteur.trim();
        return item;
      });
      const agenda = { meeting: meetingPart, items, councillors: rosterForSave() };
      if (state.editing) {
        await saveEdited(agenda);
        return;
      }
      const reply = await call('POST', '/api/schedule', { revision: state.revision ?? 0, agenda });
      if (reply.status === 200) {
        say('ok', `Séance enregistrée : ${form.title || 'Conseil municipal'}, ${whenText(form.date, form.time)}.`);
        closeForm();
        byTestId('agenda-text').value = '';
        byTestId('agenda-file').value = '';
        await loadSchedule();
        return;
      }
      if (reply.status === 409) {
        // Another console changed the list: the form stays as it is, the list and its
        // revision are read again, and a second click saves against them.
        message(ui.reviewMessage, errorText(reply, 'La liste des séances a changé'));
        await loadSchedule();
        return;
      }
      // The corrected agenda still has problems: they are now located by item.
      state.rows.forEach((r) => { r.line = null; });
      state.problems = Array.isArray(reply.body.problems) ? reply.body.problems : [];
      renderReview();
      message(ui.reviewMessage, errorText(reply, 'La séance n\'a pas été enregistrée'));
    } finally {
      button.disabled = false;
    }
  }

  // --- the roster (the agenda's councillors) and the rapporteurs' names -----------------

  function councillorsOf(agenda) {
    const list = agenda && Array.isArray(agenda.councillors) ? agenda.councillors : [];
    return list.filter((c) => c && typeof c === 'object').map((c) => ({
      id: String(c.id ?? ''), name: String(c.name ?? ''), role: String(c.role ?? ''), group: String(c.group ?? ''),
    }));
  }

  // A councillor added by hand gets the next free "cm-NN" (ids stay as they are otherwise:
  // votes and the speaker lower-third name councillors by id).
  function freeCouncillorId() {
    const used = new Set(state.councillors.map((c) => c.id));
    for (let n = 1; ; n += 1) {
      const id = `cm-${String(n).padStart(2, '0')}`;
      if (!used.has(id)) return id;
    }
  }

  function rosterForSave() {
    return state.councillors.map((c) => {
      const councillor = { id: c.id, name: c.name.trim() };
      if (c.role.trim()) councillor.role = c.role.trim();
      if (c.group.trim()) councillor.group = c.group.trim();
      return councillor;
    });
  }

  function renderRosterNames() {
    const names = [...new Set(state.councillors.map((c) => c.name.trim()).filter(Boolean))];
    byTestId('roster-names').replaceChildren(...names.map((name) => el('option', { value: name })));
  }

  function renderRoster() {
    const rows = state.councillors.map((c, index) => {
      const problems = state.problems.filter((p) => new RegExp(`^councillors\\[${index}\\]`).test(String(p.where || '')));
      const input = (key, label, size) => el('input', {
        type: 'text', testid: `councillor-${key}`, size, value: c[key],
        'aria-label': `${label} de l'élu ${index + 1}`,
        oninput: (event) => {
          c[key] = event.target.value;
          if (key === 'name') renderRosterNames();
        },
      });
      return el('tr', { testid: 'councillor', dataset: { id: c.id, problem: problems.length ? 'true' : 'false' } },
        el('td', {}, input('name', 'Nom', 22),
          ...problems.map((p) => el('div', { class: 'item-problem' }, `${frenchPlace(p.where)} : ${String(p.message ?? '')}`))),
        el('td', {}, input('role', 'Fonction', 22)),
        el('td', {}, input('group', 'Groupe', 16)),
        el('td', { class: 'item-buttons' }, el('button', {
          type: 'button', class: 'small quiet danger', testid: 'councillor-remove', title: 'Retirer cet élu',
          'aria-label': `Retirer ${c.name || `l'élu ${index + 1}`} de la liste`,
          onclick: () => {
            state.councillors.splice(index, 1);
            renderRoster();
          },
        }, '✕')));
    });
    byTestId('roster-items').replaceChildren(...rows);
    show(byTestId('roster-empty'), state.councillors.length === 0);
    renderRosterNames();
  }

  function rosterMessage(text, problems = []) {
    message(byTestId('roster-message'), text);
    byTestId('roster-problems').replaceChildren(...problems.map((p) => el('li', { testid: 'roster-problem' },
      el('strong', { class: 'where' }, `${frenchPlace(p.where)} : `), String(p.message ?? ''))));
  }

  // "Importer une liste (CSV)": the server reads the spreadsheet's export (POST
  // /api/schedule/roster) and the list replaces the review's; nothing is saved until the
  // meeting is.
  async function importRoster(event) {
    const input = event.target;
    const file = input.files[0];
    if (!file) return;
    rosterMessage('Lecture de la liste…');
    byTestId('roster-message').dataset.severity = 'info';
    const reply = await call('POST', '/api/schedule/roster', file, { 'Content-Type': 'text/csv' });
    input.value = '';
    if (reply.status === 200 && Array.isArray(reply.body.councillors)) {
      state.councillors = councillorsOf(reply.body);
      renderRoster();
      const n = state.councillors.length;
      rosterMessage('');
      say('ok', `${n} élu${n > 1 ? 's' : ''} importé${n > 1 ? 's' : ''} de « ${file.name} » : vérifiez la liste, puis enregistrez la séance.`);
      return;
    }
    if (reply.status === 413) {
      rosterMessage('Fichier trop volumineux (20 Mo au plus).');
      return;
    }
    rosterMessage(errorText(reply, `La liste « ${file.name} » n'a pas pu être lue`),
      Array.isArray(reply.body.problems) ? reply.body.problems : []);
  }

  // --- "Modifier l'ordre du jour" of a planned meeting ----------------------------------

  function editorButtons(m) {
    const s = stateOf(m);
    const buttons = [];
    if (m.state === 'planned') {
      buttons.push(el('button', {
        type: 'button', class: 'small', testid: 'meeting-edit', onclick: (event) => editMeeting(m.id, event.currentTarget),
      }, 'Modifier l\'ordre du jour'));
    }
    if (m.log_id && s !== 'planned') {
      buttons.push(el('button', {
        type: 'button', class: 'small', testid: 'meeting-files', 'aria-expanded': state.files.has(m.id) ? 'true' : 'false',
        onclick: () => toggleFiles(m),
      }, 'Fichiers de la séance'));
    }
    return buttons;
  }

  function setEditing(editing) {
    state.editing = editing;
    document.getElementById('h-review').firstChild.textContent = editing ? 'Modifier l\'ordre du jour ' : 'Vérifiez ce que Tribune a compris ';
    show(byTestId('review-back'), !editing);
    show(byTestId('review-close'), Boolean(editing));
    show(byTestId('review-reload'), false);
  }

  // The saved agenda (GET /api/schedule/ID/agenda) in the review screen; the form's fields
  // take its meeting, which the review shows and saves.
  async function editMeeting(id, button) {
    if (button) button.disabled = true;
    const reply = await call('GET', `/api/schedule/${encodeURIComponent(id)}/agenda`);
    if (button) button.disabled = false;
    if (reply.status !== 200 || !reply.body.agenda) {
      message(ui.message, errorText(reply, 'L\'ordre du jour de cette séance n\'a pas pu être lu'));
      return false;
    }
    const agenda = reply.body.agenda;
    const m = agenda.meeting || {};
    byTestId('meeting-title-input').value = m.title || '';
    byTestId('meeting-date').value = m.date || '';
    byTestId('meeting-time').value = m.time || '';
    byTestId('meeting-place').value = m.place || '';
    // The revision this agenda was read at, not the list's (refreshed every 30 s): another
    // console's edit meanwhile is a conflict, never silently overwritten.
    state.editing = { id, revision: typeof reply.body.revision === 'number' ? reply.body.revision : state.revision };
    state.councillors = councillorsOf(agenda);
    rosterMessage('');
    message(ui.message, '');
    review({ text: '', agenda, problems: [] });
    return true;
  }

  async function saveEdited(agenda) {
    const { id, revision } = state.editing;
    const reply = await call('POST', `/api/schedule/${encodeURIComponent(id)}/agenda`, { revision: revision ?? 0, agenda });
    if (reply.status === 200) {
      say('ok', `Ordre du jour enregistré : ${agenda.meeting.title || 'Conseil municipal'}, ${whenText(agenda.meeting.date, agenda.meeting.time)}.`);
      setEditing(null);
      closeForm();
      await loadSchedule();
      return;
    }
    if (reply.status === 409 && reply.body.code === 'conflict') {
      // Another console changed the list since this one read it: nothing was saved. The
      // list is read again; "Enregistrer" keeps these corrections over the other's, the
      // reload shows the saved version instead.
      message(ui.reviewMessage, 'Cette séance ou la liste des séances a été modifiée entre-temps par une autre console : '
        + 'rien n\'a été enregistré. « Recharger la séance enregistrée » montre la version enregistrée (vos corrections sont '
        + 'alors perdues) ; « Enregistrer » de nouveau remplace cette version par la vôtre.');
      show(byTestId('review-reload'), true);
      await loadSchedule();
      if (state.editing) state.editing.revision = state.revision;  // a second click keeps this version
      return;
    }
    if (reply.status === 409 || reply.status === 404) {
      message(ui.reviewMessage, errorText(reply, 'L\'ordre du jour n\'a pas été enregistré'));
      await loadSchedule();
      return;
    }
    state.rows.forEach((r) => { r.line = null; });
    state.problems = Array.isArray(reply.body.problems) ? reply.body.problems : [];
    renderReview();
    message(ui.reviewMessage, errorText(reply, 'L\'ordre du jour n\'a pas été enregistré'));
  }

  // --- a past meeting's files (its replay: DATA/exports/LOG_ID) ---------------------------

  function sizeText(bytes) {
    const n = Number(bytes) || 0;
    const format = (v) => v.toLocaleString('fr-FR', { maximumFractionDigits: 1 });
    if (n >= 1e9) return `${format(n / 1e9)} Go`;
    if (n >= 1e6) return `${format(n / 1e6)} Mo`;
    if (n >= 1e3) return `${format(n / 1e3)} ko`;
    return `${n} octet${n > 1 ? 's' : ''}`;
  }

  async function toggleFiles(m) {
    if (state.files.has(m.id)) {
      state.files.delete(m.id);
      renderList();
      return;
    }
    state.files.set(m.id, { loading: true });
    renderList();
    const reply = await call('GET', `/api/schedule/${encodeURIComponent(m.id)}/files`);
    if (!state.files.has(m.id)) return;
    state.files.set(m.id, reply.status === 200 && Array.isArray(reply.body.files)
      ? { files: reply.body.files }
      : { error: errorText(reply, 'La liste des fichiers n\'a pas pu être lue') });
    renderList();
  }

  function filesRow(m) {
    const panel = state.files.get(m.id);
    if (!panel) return null;
    let content;
    if (panel.loading) content = el('p', { class: 'hint' }, 'Lecture de la liste des fichiers…');
    else if (panel.error) content = el('p', { class: 'alert', testid: 'files-error' }, panel.error);
    else if (!panel.files.length) content = el('p', { class: 'hint', testid: 'files-empty' }, 'Aucun fichier pour cette séance.');
    else {
      content = el('ul', { class: 'files', testid: 'files-list' }, ...panel.files.map((f) => el('li', { testid: 'meeting-file', dataset: { name: String(f.name) } },
        el('button', {
          type: 'button', class: 'small quiet', testid: 'file-download', 'aria-label': `Télécharger ${f.name}`,
          onclick: (event) => download(m, String(f.name), event.currentTarget),
        }, String(f.name)),
        ` — ${sizeText(f.bytes)}`)));
    }
    return el('tr', { class: 'meeting-files-row', testid: 'meeting-files-row', dataset: { id: m.id } }, el('td', { colspan: '5' }, content));
  }

  // The technician's token never goes into a URL (the browser's history and downloads list
  // would keep it): the console asks, with the token in the header, for a one-time ticket to
  // that file (POST …/files/NAME/ticket), and the browser downloads the ticket's URL itself,
  // to disk as it comes (a replay's MP4 may weigh gigabytes). The ticket opens that one
  // file, once, within a minute.
  async function download(m, name, button) {
    button.disabled = true;
    try {
      const path = `/api/schedule/${encodeURIComponent(m.id)}/files/${name.split('/').map(encodeURIComponent).join('/')}`;
      const reply = await call('POST', `${path}/ticket`);
      if (reply.status !== 200 || typeof reply.body.url !== 'string' || !reply.body.url.startsWith('/api/schedule/')) {
        say('error', errorText(reply, `« ${name} » n'a pas pu être téléchargé`));
        return;
      }
      const link = el('a', { href: reply.body.url, download: name.split('/').pop(), hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
    } finally {
      button.disabled = false;
    }
  }

  // --- wiring -------------------------------------------------------------------------

  byTestId('new-meeting').addEventListener('click', openForm);
  byTestId('new-meeting-cancel').addEventListener('click', closeForm);
  byTestId('meeting-form').addEventListener('submit', readAgenda);
  byTestId('review-back').addEventListener('click', () => {
    show(ui.review, false);
    show(ui.form, true);
  });
  byTestId('review-add').addEventListener('click', () => {
    state.rows.push({ number: '', title: '', rapporteur: '', kind: 'deliberation', line: null });
    renderReview();
    const titles = ui.items.querySelectorAll('[data-testid="item-title"]');
    if (titles.length) titles[titles.length - 1].focus();
  });
  byTestId('review-save').addEventListener('click', save);
  byTestId('roster-add').addEventListener('click', () => {
    state.councillors.push({ id: freeCouncillorId(), name: '', role: '', group: '' });
    renderRoster();
    const names = byTestId('roster-items').querySelectorAll('[data-testid="councillor-name"]');
    if (names.length) names[names.length - 1].focus();
  });
  byTestId('roster-file').addEventListener('change', importRoster);
  byTestId('new-meeting').addEventListener('click', () => {
    setEditing(null);
    state.councillors = [];
    rosterMessage('');
  });
  byTestId('review-close').addEventListener('click', () => {
    setEditing(null);
    closeForm();
  });
  byTestId('review-reload').addEventListener('click', () => {
    if (state.editing) editMeeting(state.editing.id, byTestId('review-reload'));
  });
  ui.stop.addEventListener('click', stopMeeting);
  setInterval(renderNext, 1000);
  // "Réglages" (settings.html): the technician's token goes along in the fragment when the
  // link is followed, as the console got it; the markup never holds it.
  for (const link of document.querySelectorAll('a[data-token-link]')) {
    const follow = () => {
      let token = null;
      try {
        token = sessionStorage.getItem(TOKEN_KEY);
      } catch {
        token = null;  // storage refused: settings.html asks for the console's address
      }
      const base = link.getAttribute('href').replace(/#.*$/, '');
      if (token) link.href = `${base}#token=${encodeURIComponent(token)}`;
      setTimeout(() => link.setAttribute('href', base), 0);
    };
    link.addEventListener('click', follow);
    link.addEventListener('auxclick', follow);
  }

  return { standby, meeting, mode: () => state.mode };
}
