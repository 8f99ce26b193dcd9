// Tribune — the websocket link shared by every page: the technician's console, the moderator's
// and the mayor's pages, the viewers' and the public meeting page (docs/PROTOCOL.md,
// docs/QUESTIONS.md). Plain ES module, no dependency, no build step. No page opens a
// websocket of its own (tests/browser/check_web_pages.sh).
//
//   const link = new TribuneConnection({ token, viewerKey, onWelcome, onMessage, onState });
//   link.start();
//   const result = await link.send('question.ask', { text });   // never throws
//
// What it does for the pages:
// - opens /ws (subprotocol "tribune"), sends hello (token, the viewer's browser id kept in
//   localStorage, `since` to resume), and hands the welcome to the page;
// - keeps the sequence number of what was seen, drops an event seen twice, and resumes
//   from it after a cut (the server then sends what was missed, or a whole snapshot);
// - reconnects by itself, with growing delays and jitter, at once when the device comes back
//   online or the page becomes visible again;
// - notices a silent dead link (a ping after a quiet spell, no answer: reconnect);
// - matches every command with its result by id, with a time limit; a command sent while
//   disconnected, timed out, or cut by a lost link resolves with a French message too;
// - in standby (`tribune serve` with no meeting running, docs/SCHEDULE.md) hands the
//   `standby` answer to onStandby instead of a welcome, keeps the link watched, and lets the
//   page reconnect to the meeting when the server closes the link at its start.
//
// Nothing here touches the DOM but the small helpers at the end (el, setText, show), which
// only ever put data in the document as text.

export const SESSION_LABELS = {
  pre_seance: 'Pré-séance',
  seance_ouverte: 'Séance ouverte',
  suspension: 'Suspension de séance',
  huis_clos: 'Huis clos',
  seance_levee: 'Séance levée',
  questions_public: 'Questions du public',
  terminee: 'Terminée',
};

// docs/PROTOCOL.md "The session's states": when a question may go on air.
export const PUBLIC_MAY_BE_HEARD = new Set(['pre_seance', 'suspension', 'questions_public']);

// Where a question was asked (issue 21; docs/QUESTIONS.md): a question view's `origin` is
// "site" (the viewer page, also when an older server sends none), "youtube", "facebook" or
// "peertube". The names are the platforms' own (core::originLabel); the viewer page is "Site".
export const ORIGINS = ['site', 'youtube', 'facebook', 'peertube'];
export const ORIGIN_NAMES = { site: 'Site', youtube: 'YouTube', facebook: 'Facebook', peertube: 'PeerTube' };

export function originOf(view) {
  const origin = view && typeof view.origin === 'string' ? view.origin : 'site';
  return ORIGINS.includes(origin) ? origin : 'site';
}

// "Jean D. · Facebook": who asked, as the mayor and the moderator read it. A question of the
// viewer page reads as it always did: its pseudonym and place, without "Site".
export function authorLine(view) {
  const origin = originOf(view);
  return [view.pseudonym, origin === 'site' ? '' : ORIGIN_NAMES[origin], view.place].filter(Boolean).join(' · ');
}

// What a session_changed event makes of the snapshot's `session` member.
export function sessionFromState(to) {
  return {
    state: to,
    label: SESSION_LABELS[to] || to,
    public_may_be_heard: PUBLIC_MAY_BE_HEARD.has(to),
    public_outputs_cut: to === 'huis_clos',
  };
}

// Behind a public edge (issue 22, docs/PROTOCOL.md "edge_status"): whether the edge has lost
// the town hall. null for any other message; a new connection starts as "reachable".
export function townHallUnreachable(message) {
  if (!message || message.type !== 'edge_status') return null;
  return message.town_hall === 'unreachable';
}

// docs/QUESTIONS.md "hello": 22 to 64 characters of A-Z a-z 0-9 _ -.
const VIEWER_ID = /^[A-Za-z0-9_-]{22,64}$/;

const STAFF_DELAYS_MS = [500, 1000, 2000, 3000, 5000];
const VIEWER_DELAYS_MS = [1000, 2000, 4000, 8000, 15000, 30000];

// A token given in the address's fragment (never sent to a server), kept for this tab only,
// and taken out of the address bar at once.
export function takeToken(storageKey) {
  let token = null;
  const fragment = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromAddress = fragment.get('token');
  try {
    if (fromAddress) sessionStorage.setItem(storageKey, fromAddress);
    token = fromAddress || sessionStorage.getItem(storageKey);
  } catch {
    token = fromAddress;  // storage refused (private mode): this page only
  }
  if (location.hash) history.replaceState(null, '', location.pathname + location.search);
  return token;
}

export function forgetToken(storageKey) {
  try {
    sessionStorage.removeItem(storageKey);
  } catch {
    // nothing kept
  }
}

const now = () => performance.now();

export class TribuneConnection {
  // options:
  //   token        the staff token, or null for a viewer
  //   viewerKey    localStorage key of the viewer's browser id (viewers only)
  //   delaysMs     reconnection delays (the last one repeats); jitter ±20 %
  //   commandTimeoutMs, quietMs (ping after that much silence), pingTimeoutMs
  //   onWelcome(message, {resumed, reconnected})  a welcome; snapshot null when resumed
  //   onMessage(message)  every other message but results and pongs, events deduplicated
  //   onState(state)      'connecting' | 'connected' | 'lost' | 'stopped', after each change
  //   onRefused(kind)     'invalid-token': the server does not know the token (stopped)
  //   onBinary(blob)      a binary frame (the console's preview pictures); ignored without it
  //   onStandby(message, {reconnected})  no meeting runs: {role, next, schedule (technician)};
  //                       the state is then 'standby' until the server closes the link
  constructor(options) {
    this.token = options.token || null;
    this.viewerKey = options.viewerKey || null;
    this.delaysMs = options.delaysMs || (this.token ? STAFF_DELAYS_MS : VIEWER_DELAYS_MS);
    this.commandTimeoutMs = options.commandTimeoutMs || (this.token ? 10000 : 15000);
    this.quietMs = options.quietMs || 20000;
    this.pingTimeoutMs = options.pingTimeoutMs || 10000;
    this.onWelcome = options.onWelcome || (() => {});
    this.onMessage = options.onMessage || (() => {});
    this.onState = options.onState || (() => {});
    this.onRefused = options.onRefused || (() => {});
    this.onBinary = options.onBinary || null;
    this.onStandby = options.onStandby || (() => {});

    this.state = 'connecting';
    this.ws = null;
    this.connected = false;       // welcomed by the server
    this.standby = false;         // answered `standby`: linked, but no meeting to command
    this.everConnected = false;
    this.stopped = false;
    this.attempt = 0;
    this.retryTimer = null;
    this.retryAt = 0;
    this.lostAt = 0;
    this.lastMessageAt = 0;
    this.pingSentAt = 0;
    this.hasState = false;        // a snapshot was received: `since` makes sense
    this.lastSeq = null;          // the highest sequence number seen, for resuming
    this.lastEventSeq = null;     // of the last `event` applied, to drop duplicates
    this.role = null;
    this.viewer = null;
    this.nextId = 1;
    this.pending = new Map();     // id → {type, resolve, timer}
    this.watchdog = null;
    this.memoryViewer = null;     // when localStorage is refused
    this.resyncing = false;       // resync(): a new connection on purpose, until its welcome
  }

  start() {
    this.connect();
    this.watchdog = setInterval(() => this.watch(), 1000);
    window.addEventListener('online', () => this.reconnectNow());
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState !== 'visible') return;
      // Back from a locked phone or a sleeping tablet: the link may have died unnoticed.
      if (this.linked()) this.ping();
      else this.reconnectNow();
    });
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.dropSocket();
    this.failPending('stopped', 'La page est déconnectée.');
    this.setState('stopped');
  }

  // Seconds before the next try, for "nouvel essai dans N s".
  secondsToRetry() {
    return this.retryTimer ? Math.max(0, Math.ceil((this.retryAt - now()) / 1000)) : 0;
  }

  // Sends a command; resolves with the result message ({status, code, message, data}),
  // or a made-up one with status not_connected, timeout or connection_lost.
  send(type, params = {}) {
    return new Promise((resolve) => {
      if (this.standby) {
        resolve({
          status: 'unavailable', code: 434, data: {},
          message: 'Aucune séance en cours : Tribune est en veille. Rien n\'a été envoyé.',
        });
        return;
      }
      if (!this.connected || !this.ws || this.ws.readyState !== WebSocket.OPEN) {
        resolve({
          status: 'not_connected', code: 0, data: {},
          message: 'Pas de connexion au serveur : rien n\'a été envoyé. Reconnexion en cours, réessayez dans un instant.',
        });
        return;
      }
      const id = this.nextId++;
      const timer = setTimeout(() => {
        if (!this.pending.has(id)) return;
        this.pending.delete(id);
        resolve({
          status: 'timeout', code: 0, data: {},
          message: 'Le serveur n\'a pas répondu à temps : vérifiez la connexion, puis réessayez.',
        });
      }, this.commandTimeoutMs);
      this.pending.set(id, { type, resolve, timer });
      try {
        this.ws.send(JSON.stringify({ ...params, type, id }));
      } catch {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve({ status: 'not_connected', code: 0, data: {}, message: 'Pas de connexion au serveur : rien n\'a été envoyé.' });
      }
    });
  }

  // Starts again from a fresh snapshot, on a new connection at once: for a viewer after a huis
  // clos, whose events (the item changed, a vote) were never sent to it. `resyncing` stays
  // true until the welcome, so that a page need not show "connexion perdue" meanwhile.
  resync() {
    if (this.stopped) return;
    this.hasState = false;
    this.lastSeq = null;
    this.lastEventSeq = null;
    this.resyncing = true;
    this.dropSocket();
    this.failPending('connection_lost',
      'La connexion a été renouvelée avant la réponse du serveur : vérifiez le résultat, puis réessayez si besoin.');
    this.connect();
  }

  // --- internals -------------------------------------------------------------------------

  // Forgets the socket and closes it (it may already be closing): no longer connected.
  dropSocket() {
    const ws = this.ws;
    this.ws = null;
    this.connected = false;
    this.standby = false;
    if (ws) {
      try {
        ws.close();
      } catch {
        // already closing
      }
    }
  }

  setState(state) {
    this.state = state;
    this.onState(state);
  }

  storedViewer() {
    if (!this.viewerKey) return null;
    let id = this.memoryViewer;
    try {
      id = localStorage.getItem(this.viewerKey) || id;
    } catch {
      // storage refused: this page's memory only
    }
    return id && VIEWER_ID.test(id) ? id : null;
  }

  keepViewer(id) {
    if (!this.viewerKey || typeof id !== 'string' || !VIEWER_ID.test(id)) return;
    this.viewer = id;
    this.memoryViewer = id;
    try {
      localStorage.setItem(this.viewerKey, id);
    } catch {
      // kept in memory for this page
    }
  }

  connect() {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    let ws;
    try {
      ws = new WebSocket(`${scheme}//${location.host}/ws`, 'tribune');
    } catch {
      this.lost();
      return;
    }
    this.ws = ws;
    ws.binaryType = 'blob';
    this.setState('connecting');
    ws.addEventListener('open', () => {
      if (this.ws !== ws) return;
      this.lastMessageAt = now();
      const hello = { type: 'hello' };
      if (this.token) hello.token = this.token;
      const viewer = this.storedViewer();
      if (viewer) hello.viewer = viewer;
      if (this.hasState && this.lastSeq !== null) hello.since = this.lastSeq;
      ws.send(JSON.stringify(hello));
    });
    ws.addEventListener('message', (message) => {
      if (this.ws !== ws) return;
      this.lastMessageAt = now();
      this.pingSentAt = 0;
      if (typeof message.data === 'string') this.onText(message.data);
      else if (this.onBinary) this.onBinary(message.data);
    });
    ws.addEventListener('close', () => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.lost();
    });
  }

  // Welcomed, or answered `standby`: the socket is known to be served.
  linked() {
    return (this.connected || this.standby) && this.ws !== null;
  }

  reconnectNow() {
    if (this.stopped || this.linked() || this.ws) return;
    this.attempt = Math.max(0, this.attempt - 1);
    this.connect();
  }

  failPending(status, message) {
    for (const [id, entry] of this.pending) {
      clearTimeout(entry.timer);
      this.pending.delete(id);
      entry.resolve({ status, code: 0, data: {}, message });
    }
  }

  // The link is gone (closed, refused or silent): try again after a growing delay.
  lost() {
    this.resyncing = false;
    const wasConnected = this.connected;
    this.dropSocket();
    this.failPending('connection_lost',
      'La connexion a été coupée avant la réponse du serveur : vérifiez le résultat une fois reconnecté, puis réessayez si besoin.');
    if (this.stopped) return;
    if (wasConnected) this.lostAt = Date.now();
    const base = this.delaysMs[Math.min(this.attempt, this.delaysMs.length - 1)];
    const delay = base * (0.8 + Math.random() * 0.4);
    this.attempt += 1;
    this.retryAt = now() + delay;
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.setState('lost');
  }

  watch() {
    if (!this.linked()) return;
    const t = now();
    if (this.pingSentAt && t - this.pingSentAt > this.pingTimeoutMs) {
      this.pingSentAt = 0;
      this.lost();  // asked, no answer: the link is dead even if the socket says otherwise
      return;
    }
    if (!this.pingSentAt && t - this.lastMessageAt > this.quietMs) this.ping();
  }

  // Asks the server for a sign of life; watch() gives up on the link without an answer.
  ping() {
    if (!this.linked() || this.pingSentAt) return;
    this.pingSentAt = now();
    try {
      this.ws.send(JSON.stringify({ type: 'ping', id: `ping-${this.nextId++}` }));
    } catch {
      this.lost();
    }
  }

  onText(text) {
    let message;
    try {
      message = JSON.parse(text);
    } catch {
      return;
    }
    if (!message || typeof message !== 'object') return;
    if (typeof message.seq === 'number' && message.type !== 'welcome') {
      if (message.type === 'event') {
        if (this.lastEventSeq !== null && message.seq <= this.lastEventSeq) return;  // seen already
        this.lastEventSeq = message.seq;
      }
      // Question messages of one batch may carry a higher seq than the events sent after
      // them: `since` is the highest seen, duplicates are dropped on events only.
      if (this.lastSeq === null || message.seq > this.lastSeq) this.lastSeq = message.seq;
    }
    switch (message.type) {
      case 'welcome': this.welcome(message); return;
      case 'standby': this.enterStandby(message); return;
      case 'result': this.result(message); return;
      case 'error': this.error(message); return;
      default: this.onMessage(message);
    }
  }

  // tribune serve has no meeting running: the link stays open (pinged, each ping answered by
  // an `unavailable` error) until the server closes it when a meeting starts; the meeting's
  // welcome then brings a whole snapshot.
  enterStandby(message) {
    const reconnected = this.everConnected;
    this.standby = true;
    this.connected = false;
    this.everConnected = true;
    this.resyncing = false;
    this.attempt = 0;
    this.role = message.role || null;
    this.hasState = false;
    this.lastSeq = null;
    this.lastEventSeq = null;
    this.setState('standby');
    this.onStandby(message, { reconnected });
  }

  welcome(message) {
    const reconnected = this.everConnected;
    this.standby = false;
    this.connected = true;
    this.everConnected = true;
    this.resyncing = false;
    this.attempt = 0;
    this.role = message.role || null;
    if (message.viewer) this.keepViewer(message.viewer);
    const resumed = message.snapshot === null || message.snapshot === undefined;
    if (!resumed) {
      this.hasState = true;
      if (typeof message.seq === 'number') {
        this.lastSeq = message.seq;
        this.lastEventSeq = message.seq;
      }
    }
    this.setState('connected');
    this.onWelcome(message, { resumed, reconnected });
  }

  result(message) {
    const entry = this.pending.get(message.id);
    if (!entry) return;  // a ping's answer, or one that timed out
    this.pending.delete(message.id);
    clearTimeout(entry.timer);
    entry.resolve(message);
  }

  error(message) {
    if (message.status === 'invalid_token' || message.code === 401) {
      this.stop();
      this.onRefused('invalid-token');
      return;
    }
    // In standby every message but hello is refused (docs/PROTOCOL.md): the ping's answer.
    if (this.standby && message.id === undefined && message.status === 'unavailable') return;
    const entry = message.id !== undefined ? this.pending.get(message.id) : null;
    if (entry) {
      this.pending.delete(message.id);
      clearTimeout(entry.timer);
      entry.resolve(message);
      return;
    }
    this.onMessage(message);  // e.g. too many messages (rate_limited) without an id
  }
}

// ---------------------------------------------------------------------------------------
// Small DOM helpers for the pages: data only ever becomes text nodes.

// A REST call of a staff page through its `api(path, options)` (its fetch with the token):
// {status, body}, body the JSON answer ({} when none), status 0 when the server is away.
export async function jsonCall(api, method, path, body, headers = {}) {
  const options = { method, headers: { ...headers } };
  if (body !== undefined) {
    if (body instanceof Blob || body instanceof ArrayBuffer) {
      options.body = body;
    } else {
      options.body = JSON.stringify(body);
      options.headers['Content-Type'] = 'application/json';
    }
  }
  let response;
  try {
    response = await api(path, options);
  } catch {
    const away = 'Le serveur ne répond pas : vérifiez que Tribune est lancé, puis réessayez.';
    return { status: 0, body: { message: away, error: away } };
  }
  let data = {};
  try {
    data = await response.json();
  } catch {
    data = {};
  }
  return { status: response.status, body: data && typeof data === 'object' ? data : {} };
}

// What the server said of a refusal (its "error" or "message"), else the fallback and the status.
export function refusalText(reply, fallback) {
  const said = reply.body && (reply.body.error || reply.body.message);
  if (typeof said === 'string' && said) return said;
  return `${fallback} (réponse ${reply.status} du serveur).`;
}

export const byTestId = (id, root = document) => root.querySelector(`[data-testid="${id}"]`);

// el('button', {class: 'x', testid: 'y', onclick: f}, 'text', child…)
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'testid') node.dataset.testid = value;
    else if (key === 'text') node.textContent = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// "mardi 8 décembre" (with the year when it is not this year's), "à 20 h 00".
export function frenchDay(date) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date || '');
  if (!match) return date || '';
  const day = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  const options = { weekday: 'long', day: 'numeric', month: 'long' };
  if (day.getFullYear() !== new Date().getFullYear()) options.year = 'numeric';
  return new Intl.DateTimeFormat('fr-FR', options).format(day);
}

export function frenchTime(time) {
  return /^\d{2}:\d{2}$/.test(time || '') ? time.replace(':', ' h ') : (time || '');
}

// What the pages say in standby of the `standby` answer's `next` (null when none): "Pas de
// séance en cours — prochaine séance : mardi 8 décembre à 20 h 00, Salle du conseil".
export function nextMeetingText(next) {
  if (!next || typeof next !== 'object') return 'Pas de séance en cours — aucune séance prévue pour l\'instant.';
  const when = [frenchDay(next.date), next.time ? `à ${frenchTime(next.time)}` : ''].filter(Boolean).join(' ');
  return `Pas de séance en cours — prochaine séance : ${[when, next.place].filter(Boolean).join(', ')}`;
}

// The standby notice of a page (data-testid standby-notice, made on first use just before
// <main>): the text given, or hidden with null. <body data-standby="true"> meanwhile: the
// shared sheets hide the page's <main>, which has nothing to show without a meeting.
export function showStandbyNotice(text) {
  let node = byTestId('standby-notice');
  if (!node && text === null) return;
  if (!node) {
    node = el('p', { class: 'standby-notice', testid: 'standby-notice', role: 'status' });
    const main = document.querySelector('main');
    if (main) main.before(node);
    else document.body.prepend(node);
  }
  setText(node, text);
  show(node, text !== null);
  document.body.dataset.standby = text === null ? 'false' : 'true';
}

export function setText(node, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (node && node.textContent !== value) node.textContent = value;
}

export function show(node, visible) {
  if (node && node.hidden === visible) node.hidden = !visible;
}

// Characters as the server counts them (code points, not UTF-16 units).
export const characters = (text) => [...(text || '')].length;

// The questions of a snapshot: docs/QUESTIONS.md gives `questions` (a list) and
// `questions_queue`; an older form nests them as {items, queue, prescreen}.
export function snapshotQuestions(snapshot) {
  const q = snapshot ? snapshot.questions : null;
  if (Array.isArray(q)) {
    return { items: q, queue: snapshot.questions_queue || [], prescreen: snapshot.questions_prescreen, counters: snapshot.questions_counters };
  }
  if (q && typeof q === 'object') {
    return { items: q.items || [], queue: q.queue || snapshot.questions_queue || [], prescreen: q.prescreen, counters: snapshot.questions_counters };
  }
  return { items: [], queue: snapshot && snapshot.questions_queue ? snapshot.questions_queue : [], prescreen: undefined, counters: undefined };
}
