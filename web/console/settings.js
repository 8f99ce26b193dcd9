// Tribune — the technician's settings (issue 23, web/console/settings.html): the destinations,
// the branding with a preview of the lower-third drawn by the real renderer, the video, the
// viewers' questions and the web address, over the settings REST API of `tribune serve`
// (GET/POST /api/settings, POST /api/settings/logo, POST /api/settings/preview).
//
// Each section saves on its own with the revision the page loaded: the server's problems are
// shown next to the field whose JSON path they name (the others at the top of the section), a
// conflict (another console saved first) overwrites nothing and offers to reload. A stream key
// typed here goes to the server and is never put back in the page: a key that is set shows as
// "****", which the page sends back to keep it. Plain ES module; every text from the server or
// from the technician becomes a text node (el, setText), never markup.

import {
  byTestId, el, forgetToken, jsonCall, refusalText, setText, show, takeToken,
} from '../shared/tribune-connection.js';

// The console's key: the same tab keeps one technician token for both pages.
const TOKEN_KEY = 'tribune.console.token';
const PREVIEW_DELAY_MS = 400;
const KEPT_KEY = '****';
const SECTIONS = ['destinations', 'branding', 'video', 'questions', 'web'];
// What each section's patch holds (restart_needed names these).
const SECTION_KEYS = {
  destinations: ['destinations'], branding: ['branding'], video: ['video'], questions: ['questions'], web: ['web', 'graphics'],
};
const SECTION_NAMES = {
  destinations: 'destinations', branding: 'habillage', video: 'vidéo', questions: 'questions du public',
  web: 'adresse web', graphics: 'graphismes',
};
const PLATFORMS = [
  ['youtube', 'YouTube', 'rtmps://a.rtmps.youtube.com:443/live2'],
  ['facebook', 'Facebook', 'rtmps://live-api-s.facebook.com:443/rtmp'],
  ['linkedin', 'LinkedIn', 'rtmps://…'],
  ['peertube', 'PeerTube', 'rtmp://peertube.exemple.fr:1935/live'],
  ['twitch', 'Twitch', 'rtmps://live.twitch.tv:443/app'],
  ['x', 'X', 'rtmps://…'],
  ['', 'Autre serveur', 'rtmp://serveur/app ou rtmps://serveur/app'],
];
const CONFLICT_TEXT = 'Les réglages ont été modifiés dans une autre console : rechargez';

const state = {
  token: null,
  revision: null,        // the revision the page loaded: every save names it
  values: null,          // GET /api/settings's values
  presetKey: 'preset',   // video's x264 preset as the server names it ("preset" or "x264_preset")
  rows: [],              // destinations: {original, hadKey, node, fields}
  logo: null,            // branding.logo: the server's value (a path, a name, or null)
  previewTimer: null,
  previewSeq: 0,
  previewUrl: null,
  problemSeq: 0,
};

// ---------------------------------------------------------------------------------------
// The server's word

async function api(path, options = {}) {
  const headers = { Authorization: `Bearer ${state.token}`, ...(options.headers || {}) };
  return fetch(path, { ...options, headers, cache: 'no-store' });
}

const call = (method, path, body, headers = {}) => jsonCall(api, method, path, body, headers);
const errorText = refusalText;

// ---------------------------------------------------------------------------------------
// The status line, the gate

function say(kind, text) {
  const line = byTestId('status-line');
  line.dataset.kind = kind;
  setText(line.querySelector('.status-time'), new Date().toLocaleTimeString('fr-FR'));
  setText(line.querySelector('.status-text'), text);
}

function showGate(kind) {
  const texts = {
    'no-token': ['Ouvrez les réglages depuis la console',
      'Cette page a besoin de la clé du technicien : ouvrez la console avec l\'adresse affichée par Tribune '
        + '(elle se termine par #token=…), puis « Réglages ».',
      'Open the console with its full address (ending in #token=…), then « Réglages ».'],
    'invalid-token': ['Ce lien n\'est plus valable',
      'Le serveur ne reconnaît pas la clé de cette adresse : les jetons ont peut-être été renouvelés. '
        + '« tribune tokens » redonne l\'adresse de la console.',
      'This link\'s token is not known to the server: `tribune tokens` gives the console\'s address again.'],
    'wrong-role': ['Ce lien n\'est pas celui du technicien',
      'Seul le technicien modifie les réglages : ouvrez l\'adresse « Console du technicien ».',
      'Only the technician\'s link opens the settings.'],
  }[kind];
  const gate = byTestId('gate');
  setText(gate.querySelector('.gate-title'), texts[0]);
  setText(gate.querySelector('.gate-text'), texts[1]);
  setText(gate.querySelector('.gate-hint'), texts[2]);
  gate.dataset.kind = kind;
  show(gate, true);
  show(byTestId('settings'), false);
  show(byTestId('status-line'), false);
}

// A link to another console page carries the token in its fragment, set only when followed
// (the page's markup never holds it).
function wireTokenLinks() {
  for (const link of document.querySelectorAll('a[data-token-link]')) {
    const base = link.getAttribute('href').replace(/#.*$/, '');
    const follow = () => {
      if (state.token) link.href = `${base}#token=${encodeURIComponent(state.token)}`;
      setTimeout(() => link.setAttribute('href', base), 0);
    };
    link.addEventListener('click', follow);
    link.addEventListener('auxclick', follow);
  }
}

// ---------------------------------------------------------------------------------------
// Values in and out of the fields

const sectionNode = (name) => document.querySelector(`.settings-section[data-section="${name}"]`);

function valueAt(values, path) {
  let node = values;
  for (const key of path.split('.')) {
    if (!node || typeof node !== 'object') return undefined;
    node = node[key];
  }
  return node;
}

function fill(input, value) {
  const text = value === null || value === undefined ? '' : String(value);
  if (input.type === 'checkbox') {
    input.checked = Boolean(value);
  } else if (input.tagName === 'SELECT') {
    // A value this page does not list (set in tribune.json) stays as it is.
    if (text && ![...input.options].some((o) => o.value === text)) input.append(el('option', { value: text }, text));
    input.value = text;
  } else if (input.type !== 'file') {
    input.value = text;
  }
}

// A whole number as typed becomes a number; anything else goes as typed, for the server to
// say what is wrong with it next to the field.
function numberOrText(input) {
  const text = input.value.trim();
  return /^-?\d+$/.test(text) ? Number(text) : text;
}

const field = (section, path) => sectionNode(section).querySelector(`[data-path="${path}"]`);

function renderSimple(section) {
  for (const input of sectionNode(section).querySelectorAll('[data-path]')) {
    if (input.type === 'file' || input.closest('.destination')) continue;
    fill(input, valueAt(state.values, input.dataset.path));
  }
}

function renderBranding() {
  renderSimple('branding');
  for (const pair of document.querySelectorAll('[data-colour]')) syncPicker(pair);
  state.logo = valueAt(state.values, 'branding.logo') ?? null;
  renderLogo();
  setText(byTestId('commune'), valueAt(state.values, 'branding.commune') || 'Tribune');
}

function renderLogo() {
  const name = typeof state.logo === 'string' && state.logo ? state.logo.split('/').pop() : '';
  setText(byTestId('branding-logo-name'), name ? `Logo : ${name}` : 'Pas de logo.');
  show(byTestId('branding-logo-remove'), Boolean(name));
}

function renderVideo() {
  const video = valueAt(state.values, 'video') || {};
  state.presetKey = 'x264_preset' in video && !('preset' in video) ? 'x264_preset' : 'preset';
  byTestId('video-preset').dataset.path = `video.${state.presetKey}`;
  renderSimple('video');
}

function patchOf(section) {
  const value = (path) => field(section, path);
  switch (section) {
    case 'destinations':
      return { destinations: state.rows.map(destinationOf) };
    case 'branding':
      return {
        branding: {
          commune: value('branding.commune').value,
          primary_color: value('branding.primary_color').value.trim(),
          accent_color: value('branding.accent_color').value.trim(),
          text_color: value('branding.text_color').value.trim(),
          font: value('branding.font').value.trim(),
          logo: state.logo,
        },
      };
    case 'video':
      return {
        video: {
          profile: value('video.profile').value,
          bitrate_kbps: numberOrText(value('video.bitrate_kbps')),
          [state.presetKey]: value(`video.${state.presetKey}`).value,
          keyframe_interval_s: numberOrText(value('video.keyframe_interval_s')),
        },
      };
    case 'questions':
      return {
        questions: {
          enabled: value('questions.enabled').checked,
          prescreen: value('questions.prescreen').checked,
          max_length: numberOrText(value('questions.max_length')),
          retention_days: numberOrText(value('questions.retention_days')),
        },
      };
    case 'web': {
      const questionUrl = value('graphics.question_url').value.trim();
      return {
        web: { address: value('web.address').value.trim(), port: numberOrText(value('web.port')) },
        graphics: { question_url: questionUrl || null },
      };
    }
    default:
      return {};
  }
}

// ---------------------------------------------------------------------------------------
// Destinations: one row each, kept as nodes (a key being typed in one row survives the
// removal of another).

function destinationRow(destination) {
  const row = {
    original: destination ? String(destination.name ?? '') : null,
    hadKey: Boolean(destination && destination.key),
    node: null,
    fields: {},
  };
  const d = destination || { name: '', platform: 'youtube', url: PLATFORMS[0][2], enabled: true, tls_verify: true };
  const f = row.fields;
  f.name = el('input', { type: 'text', testid: 'destination-name', spellcheck: 'false', maxlength: '32', value: d.name ?? '',
    placeholder: 'youtube-mairie' });
  f.platform = el('select', { testid: 'destination-platform' },
    ...PLATFORMS.map(([id, label]) => el('option', { value: id, selected: (d.platform ?? '') === id }, label)));
  fill(f.platform, d.platform ?? '');
  f.url = el('input', { type: 'text', testid: 'destination-url', spellcheck: 'false', value: d.url ?? '' });
  f.key = el('input', { type: 'password', testid: 'destination-key', spellcheck: 'false', autocomplete: 'new-password' });
  f.enabled = el('input', { type: 'checkbox', testid: 'destination-enabled', checked: d.enabled !== false });
  f.tls_verify = el('input', { type: 'checkbox', testid: 'destination-tls-verify', checked: d.tls_verify !== false });
  const clearKey = el('button', { type: 'button', class: 'small quiet', testid: 'destination-clear-key',
    onclick: () => {
      row.hadKey = false;
      f.key.value = '';
      keyHint();
    } }, 'Effacer la clé');
  const keyHint = () => {
    f.key.placeholder = row.hadKey ? KEPT_KEY : 'aucune clé';
    show(clearKey, row.hadKey);
  };
  const urlHint = () => {
    const preset = PLATFORMS.find(([id]) => id === f.platform.value);
    f.url.placeholder = preset ? preset[2] : '';
  };
  f.platform.addEventListener('change', () => {
    // A known platform's server, unless one was typed for another.
    const preset = PLATFORMS.find(([id]) => id === f.platform.value);
    const known = PLATFORMS.some(([, , url]) => url === f.url.value);
    if (preset && preset[2].startsWith('rtmp') && !preset[2].includes('…') && (known || !f.url.value)) {
      f.url.value = f.platform.value === 'peertube' ? '' : preset[2];
    }
    urlHint();
  });
  keyHint();
  urlHint();
  // "Tester": a publish asked of the saved destination's server (as tribune check --probe),
  // no picture sent; the station's probe desk answers in the console's words.
  const testResult = el('p', { class: 'destination-test', testid: 'destination-test-result', role: 'status', hidden: true });
  const testButton = el('button', { type: 'button', class: 'small', testid: 'destination-test',
    title: 'Demande au serveur s\'il accepte la diffusion, sans rien diffuser',
    onclick: () => testDestination(row, testButton, testResult) }, 'Tester');
  show(testButton, row.original !== null);
  row.node = el('fieldset', { class: 'destination', testid: 'destination' },
    el('legend', {}, d.name ? String(d.name) : 'Nouvelle destination'),
    el('label', { class: 'field' }, 'Nom', f.name),
    el('label', { class: 'field' }, 'Plateforme', f.platform),
    el('label', { class: 'field wide' }, 'Adresse du serveur', f.url),
    el('div', { class: 'field' }, el('label', {}, 'Clé de stream', f.key), clearKey),
    el('label', { class: 'check' }, f.enabled, 'Diffuser ici'),
    el('label', { class: 'check' }, f.tls_verify, 'Vérifier le certificat (TLS)'),
    el('button', { type: 'button', class: 'small danger', testid: 'destination-remove', onclick: () => removeRow(row) },
      'Retirer'),
    testButton, testResult);
  return row;
}

// The saved destination (its name as saved: the server tests what is in effect, not what is
// being typed) asked whether it accepts a publish.
async function testDestination(row, button, result) {
  button.disabled = true;
  result.dataset.kind = 'info';
  setText(result, 'Test en cours… (jusqu\'à 10 s)');
  show(result, true);
  const reply = await call('POST', `/api/destinations/${encodeURIComponent(row.original)}/test`);
  button.disabled = false;
  if (reply.status === 200) {
    result.dataset.kind = reply.body.accepted ? 'ok' : 'error';
    setText(result, [reply.body.text, reply.body.advice].filter(Boolean).join(' → '));
  } else {
    result.dataset.kind = 'error';
    setText(result, errorText(reply, 'Test impossible'));
  }
}

function renumberRows() {
  state.rows.forEach((row, index) => {
    for (const [key, input] of Object.entries(row.fields)) input.dataset.path = `destinations[${index}].${key}`;
    row.node.dataset.path = `destinations[${index}]`;
  });
  show(byTestId('destinations-empty'), state.rows.length === 0);
}

function renderDestinations() {
  const list = valueAt(state.values, 'destinations');
  state.rows = (Array.isArray(list) ? list : []).map(destinationRow);
  byTestId('destination-rows').replaceChildren(...state.rows.map((row) => row.node));
  renumberRows();
}

function addRow() {
  const row = destinationRow(null);
  state.rows.push(row);
  byTestId('destination-rows').append(row.node);
  renumberRows();
  row.fields.name.focus();
}

function removeRow(row) {
  state.rows = state.rows.filter((r) => r !== row);
  row.node.remove();
  renumberRows();
}

// The row as the API takes it: the key typed, or "****" to keep the one set, or "" for none.
function destinationOf(row) {
  const f = row.fields;
  const typed = f.key.value;
  const destination = {
    name: f.name.value.trim(),
    platform: f.platform.value,
    url: f.url.value.trim(),
    enabled: f.enabled.checked,
    tls_verify: f.tls_verify.checked,
    key: typed !== '' ? typed : (row.hadKey ? KEPT_KEY : ''),
  };
  if (row.original && row.original !== destination.name) destination.previous_name = row.original;
  return destination;
}

// ---------------------------------------------------------------------------------------
// Problems and outcomes

function clearProblems(section) {
  const node = sectionNode(section);
  for (const p of node.querySelectorAll('.field-problem')) p.remove();
  for (const input of node.querySelectorAll('[aria-invalid="true"]')) {
    input.removeAttribute('aria-invalid');
    input.removeAttribute('aria-describedby');
  }
  const list = node.querySelector('[data-role="problems"]');
  list.replaceChildren();
  show(list, false);
}

// The field a problem's path names: the field itself, or the one whose path it begins with
// ("destinations[1].url" for "destinations[1].url.scheme"), or a destination's row.
function fieldFor(section, path) {
  const node = sectionNode(section);
  const inputs = [...node.querySelectorAll('[data-path]')].filter((i) => i.tagName !== 'FIELDSET');
  const exact = inputs.find((i) => i.dataset.path === path);
  if (exact) return exact;
  return inputs.find((i) => path.startsWith(`${i.dataset.path}.`) || path.startsWith(`${i.dataset.path}[`)) || null;
}

function showProblems(section, problems, fallback) {
  clearProblems(section);
  const node = sectionNode(section);
  const list = node.querySelector('[data-role="problems"]');
  const rest = [];
  for (const problem of problems) {
    const path = String(problem.path ?? problem.where ?? '');
    const text = String(problem.message ?? '');
    const input = path ? fieldFor(section, path) : null;
    if (!input) {
      rest.push(el('li', { testid: 'section-problem' }, path ? el('strong', { class: 'where' }, `${path} : `) : null, text));
      continue;
    }
    const id = `problem-${++state.problemSeq}`;
    const said = el('p', { class: 'field-problem', id, role: 'alert', testid: 'field-problem', dataset: { path } }, text);
    const holder = input.closest('.field, .check') || input;
    const previous = holder.nextElementSibling;
    (previous && previous.classList.contains('field-problem') ? previous : holder).after(said);
    input.setAttribute('aria-invalid', 'true');
    input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), id].filter(Boolean).join(' '));
  }
  if (!rest.length && !problems.length && fallback) rest.push(el('li', { testid: 'section-problem' }, fallback));
  list.replaceChildren(...rest);
  show(list, rest.length > 0);
}

function outcome(section, kind, text, extra = null) {
  const node = sectionNode(section).querySelector('[data-role="outcome"]');
  node.dataset.kind = kind;
  node.replaceChildren(...(text ? [el('span', { class: 'outcome-text', testid: 'outcome-text' }, text)] : []),
    ...(extra ? [extra] : []));
}

function renderNotes(restartNeeded, meetingRunning) {
  const restart = Array.isArray(restartNeeded) ? restartNeeded : [];
  const note = byTestId('restart-needed');
  setText(note, restart.length
    ? `Enregistré mais pas encore en vigueur : ${restart.map((s) => SECTION_NAMES[s] || s).join(', ')}. `
      + 'Redémarrez le service Tribune pour l\'appliquer (sudo systemctl restart tribune).'
    : '');
  show(note, restart.length > 0);
  if (meetingRunning !== undefined) show(byTestId('meeting-running'), Boolean(meetingRunning));
}

// ---------------------------------------------------------------------------------------
// Loading and saving

async function load() {
  const reply = await call('GET', '/api/settings');
  if (reply.status === 401) {
    forgetToken(TOKEN_KEY);
    showGate('invalid-token');
    return false;
  }
  if (reply.status === 403) {
    showGate('wrong-role');
    return false;
  }
  const message = byTestId('load-message');
  if (reply.status !== 200 || !reply.body.values || typeof reply.body.values !== 'object') {
    setText(message, reply.status === 404
      ? 'Ce serveur ne propose pas les réglages : ils existent avec « tribune serve » (le service), pas « tribune run ».'
      : errorText(reply, 'Les réglages n\'ont pas pu être lus'));
    show(message, true);
    say('error', 'Les réglages n\'ont pas pu être lus.');
    return false;
  }
  show(message, false);
  state.revision = reply.body.revision;
  state.values = reply.body.values;
  renderDestinations();
  renderBranding();
  renderVideo();
  renderSimple('questions');
  renderSimple('web');
  for (const section of SECTIONS) {
    clearProblems(section);
    outcome(section, '', '');
  }
  renderNotes(reply.body.restart_needed, reply.body.meeting_running);
  show(byTestId('settings'), true);
  say('info', `Réglages lus (révision ${state.revision}).`);
  document.body.dataset.loaded = 'true';
  document.body.dataset.revision = String(state.revision);
  schedulePreview(0);
  return true;
}

// After a section was saved: its values as the server now has them (the others keep what is
// being typed in them), the revision the save gave.
async function reloadSection(section, revision) {
  const reply = await call('GET', '/api/settings');
  if (reply.status === 200 && reply.body.values) {
    for (const key of SECTION_KEYS[section]) state.values[key] = reply.body.values[key];
    if (section === 'destinations') renderDestinations();
    else if (section === 'branding') renderBranding();
    else if (section === 'video') renderVideo();
    else renderSimple(section);
    if (reply.body.meeting_running !== undefined) show(byTestId('meeting-running'), Boolean(reply.body.meeting_running));
  } else if (section === 'destinations') {
    for (const row of state.rows) {
      row.hadKey = row.hadKey || row.fields.key.value !== '';
      row.fields.key.value = '';
    }
  }
  state.revision = revision;
  document.body.dataset.revision = String(state.revision);
}

function appliesText(section, body) {
  const restart = Array.isArray(body.restart_needed) ? body.restart_needed : [];
  if (SECTION_KEYS[section].some((key) => restart.includes(key))) {
    return ['restart', 'Enregistré. Pris en compte après un redémarrage du service Tribune (sudo systemctl restart tribune).'];
  }
  if (body.applies === 'next_meeting') return ['next_meeting', 'Enregistré. Pris en compte à la prochaine séance.'];
  return ['now', 'Enregistré. Pris en compte tout de suite.'];
}

async function save(section, button) {
  button.disabled = true;
  clearProblems(section);
  outcome(section, 'info', 'Enregistrement…');
  try {
    const patch = patchOf(section);
    const reply = await call('POST', '/api/settings', { revision: state.revision, patch });
    if (section === 'destinations') {
      // Typed keys leave the page: the server has them (or refused them).
      for (const row of state.rows) {
        if (reply.status === 200) row.fields.key.value = '';
      }
    }
    if (reply.status === 200) {
      const [kind, text] = appliesText(section, reply.body);
      await reloadSection(section, reply.body.revision);
      outcome(section, 'ok', text);
      sectionNode(section).querySelector('[data-role="outcome"]').dataset.applies = kind;
      renderNotes(reply.body.restart_needed);
      say('ok', `Réglages (${SECTION_NAMES[section]}) enregistrés.`);
      return;
    }
    if (reply.status === 401) {
      forgetToken(TOKEN_KEY);
      showGate('invalid-token');
      return;
    }
    if (reply.status === 409) {
      const reload = el('button', { type: 'button', class: 'small', testid: 'conflict-reload', onclick: reloadAll },
        'Recharger les réglages');
      outcome(section, 'conflict', CONFLICT_TEXT, reload);
      say('error', `${CONFLICT_TEXT} (rien n'a été enregistré).`);
      return;
    }
    const problems = Array.isArray(reply.body.problems) ? reply.body.problems : [];
    showProblems(section, problems, errorText(reply, 'Réglages refusés'));
    outcome(section, 'error', reply.status === 422
      ? `Rien n'a été enregistré : ${errorText(reply, 'réglages refusés')}`
      : errorText(reply, 'Réglages refusés'));
    say('error', `Réglages (${SECTION_NAMES[section]}) non enregistrés.`);
  } finally {
    button.disabled = false;
  }
}

async function reloadAll() {
  if (await load()) say('info', 'Réglages rechargés : ceux d\'une autre console sont affichés.');
}

// ---------------------------------------------------------------------------------------
// Branding: the colour pickers beside their text, the logo, the preview

const COLOUR = /^#[0-9a-fA-F]{6}$/;

function syncPicker(pair) {
  const text = pair.querySelector('input[type="text"]');
  const picker = pair.querySelector('input[type="color"]');
  if (COLOUR.test(text.value.trim())) picker.value = text.value.trim().toLowerCase();
}

function brandingValues() {
  return patchOf('branding').branding;
}

function schedulePreview(delay = PREVIEW_DELAY_MS) {
  clearTimeout(state.previewTimer);
  state.previewTimer = setTimeout(refreshPreview, delay);
}

async function refreshPreview() {
  const seq = ++state.previewSeq;
  const note = byTestId('branding-preview-note');
  const image = byTestId('branding-preview');
  let response;
  try {
    response = await api('/api/settings/preview', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ branding: brandingValues() }),
    });
  } catch {
    if (seq === state.previewSeq) setText(note, 'Aperçu impossible : le serveur ne répond pas.');
    return;
  }
  if (seq !== state.previewSeq) return;  // a newer one is on its way
  if (response.status !== 200) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      body = {};
    }
    const problems = Array.isArray(body.problems) ? body.problems.map((p) => String(p.message ?? '')).filter(Boolean) : [];
    setText(note, `Aperçu impossible : ${problems.length ? problems.join(' ; ') : errorText({ status: response.status, body }, 'refusé')}`);
    note.dataset.kind = 'error';
    image.dataset.state = 'refused';
    return;
  }
  // Read as bytes (not response.blob(), which Chromium hands to its blob store unseen by
  // the devtools' network view the browser test reads).
  const blob = new Blob([await response.arrayBuffer()], { type: 'image/png' });
  if (seq !== state.previewSeq) return;
  if (state.previewUrl) URL.revokeObjectURL(state.previewUrl);
  state.previewUrl = URL.createObjectURL(blob);
  image.src = state.previewUrl;
  image.dataset.state = 'shown';
  image.dataset.seq = String(seq);
  note.dataset.kind = '';
  setText(note, 'Aperçu du bandeau « intervenant », tel que le dessine Tribune (pas encore enregistré).');
}

async function uploadLogo(input) {
  const file = input.files[0];
  if (!file) return;
  clearProblems('branding');
  outcome('branding', 'info', 'Envoi du logo…');
  const reply = await call('POST', `/api/settings/logo?name=${encodeURIComponent(file.name)}`, file,
    { 'Content-Type': 'application/octet-stream' });
  input.value = '';
  if (reply.status === 200 && typeof reply.body.logo === 'string') {
    state.logo = reply.body.logo;
    renderLogo();
    outcome('branding', 'info', `Logo reçu (${reply.body.name || file.name}) : « Enregistrer » le met à l'antenne.`);
    schedulePreview(0);
    return;
  }
  const text = reply.status === 413
    ? 'Ce fichier est trop gros : un logo fait au plus 20 Mo.'
    : errorText(reply, 'Le logo a été refusé');
  showProblems('branding', [{ path: 'branding.logo', message: text }]);
  outcome('branding', 'error', 'Logo refusé : rien n\'a changé.');
}

// ---------------------------------------------------------------------------------------
// Wiring

function wire() {
  for (const section of SECTIONS) {
    const button = sectionNode(section).querySelector('[data-role="save"]');
    button.addEventListener('click', () => save(section, button));
  }
  byTestId('destination-add').addEventListener('click', addRow);
  for (const pair of document.querySelectorAll('[data-colour]')) {
    const text = pair.querySelector('input[type="text"]');
    const picker = pair.querySelector('input[type="color"]');
    picker.addEventListener('input', () => {
      text.value = picker.value;
      schedulePreview();
    });
    text.addEventListener('input', () => {
      syncPicker(pair);
      schedulePreview();
    });
  }
  for (const path of ['branding.commune', 'branding.font']) field('branding', path).addEventListener('input', () => schedulePreview());
  byTestId('branding-logo-file').addEventListener('change', (event) => uploadLogo(event.target));
  byTestId('branding-logo-remove').addEventListener('click', () => {
    state.logo = null;
    renderLogo();
    schedulePreview(0);
  });
  wireTokenLinks();
}

function start() {
  state.token = takeToken(TOKEN_KEY);
  if (!state.token) {
    showGate('no-token');
    return;
  }
  wire();
  load();
}

start();
