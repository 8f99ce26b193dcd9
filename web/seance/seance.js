// Tribune — the public meeting page (issue 22): what the council is doing now, for a citizen
// on a phone. Served by the town hall's Tribune and by a public edge alike; it speaks the
// viewers' protocol (docs/PROTOCOL.md: hello without a token). Plain ES module, no dependency,
// no build step, nothing from another site until the citizen asks for a platform's player.
//
// Every text from the server goes into the page with textContent (el/setText). The only
// addresses built from data are a live's player and link, and only from an address parsed
// with URL and checked against the platform's own form (liveTargets below).
import {
  ORIGIN_NAMES, sessionFromState, townHallUnreachable, byTestId, el, setText, show,
} from '../shared/tribune-connection.js';
import {
  renderConnectionStatus, renderRetryBanner, renderSessionBadge, viewerConnection,
} from '../shared/public-page.js';

// The session in plain words (docs/PROTOCOL.md "The session's states").
const SESSION_WORDS = {
  pre_seance: { fr: 'La séance n\'a pas encore commencé.', en: 'The meeting has not started yet.' },
  seance_ouverte: { fr: 'La séance est ouverte : le conseil délibère.', en: 'The meeting is in session.' },
  suspension: { fr: 'La séance est suspendue pour quelques instants.', en: 'The meeting is suspended for a while.' },
  huis_clos: { fr: 'Huis clos : la séance se poursuit sans public.', en: 'Closed session: the meeting goes on without the public.' },
  seance_levee: { fr: 'La séance est levée.', en: 'The meeting is closed.' },
  questions_public: { fr: 'Le maire répond aux questions du public.', en: 'The mayor answers the public\'s questions.' },
  terminee: { fr: 'La séance est terminée. Merci de l\'avoir suivie.', en: 'The meeting is over. Thank you for following it.' },
};

const RESULTS = {
  unanimite: { fr: 'Adopté à l\'unanimité', en: 'carried unanimously' },
  adopte: { fr: 'Adopté', en: 'carried' },
  rejete: { fr: 'Rejeté', en: 'rejected' },
};

const KINDS = { information: 'Information', question_diverse: 'Question diverse' };

const state = {
  session: null,       // {state, label, …}
  meeting: {},         // agenda.meeting
  items: [],           // agenda.items
  currentIndex: null,  // the item under discussion (null: none, or not told at huis clos)
  doneUpTo: -1,        // the highest index that was current: the items before it are done
  votes: new Map(),    // item number → vote (never one recorded at huis clos)
  lastVote: null,      // item number of the latest vote seen
  questionsOpen: false,
  lives: [],           // [{platform, url}] as sent
  edgeUnreachable: false,
};

const link = viewerConnection({
  onWelcome,
  onMessage,
  onState: () => renderConnectionStatus(link),
});

// ---------------------------------------------------------------------------------------
// Messages

function onWelcome(message, { resumed }) {
  state.edgeUnreachable = false;  // a new connection: the edge says so again if it must
  if (!resumed) applySnapshot(message.snapshot || {});
  renderAll();
}

function applySnapshot(snapshot) {
  state.session = snapshot.session || null;
  const agenda = snapshot.agenda || {};
  state.meeting = agenda.meeting || {};
  state.items = Array.isArray(agenda.items) ? agenda.items.filter((item) => item && typeof item === 'object') : [];
  // At huis clos the server sends neither the current item nor the votes.
  const current = snapshot.current_item;
  state.currentIndex = current && Number.isInteger(current.index) ? current.index : null;
  if (state.currentIndex !== null) state.doneUpTo = Math.max(state.doneUpTo, state.currentIndex);
  if (snapshot.votes && typeof snapshot.votes === 'object') {
    state.votes = new Map();
    for (const vote of Object.values(snapshot.votes)) addVote(vote);
    const currentNumber = current && typeof current.number === 'string' ? current.number : null;
    state.lastVote = currentNumber && state.votes.has(currentNumber) ? currentNumber : null;
  }
  state.questionsOpen = Boolean(snapshot.questions_settings && snapshot.questions_settings.enabled === true);
  if (Array.isArray(snapshot.lives)) state.lives = snapshot.lives;
}

// A vote as the server sends it; one marked huis clos is never shown.
function addVote(vote) {
  if (!vote || typeof vote !== 'object' || vote.huis_clos === true || typeof vote.item !== 'string') return false;
  state.votes.set(vote.item, vote);
  return true;
}

function onMessage(message) {
  switch (message.type) {
    case 'event': {
      const event = message.event || {};
      const data = event.data || {};
      if (event.type === 'session_changed' && typeof data.to === 'string') {
        const from = state.session ? state.session.state : data.from;
        state.session = sessionFromState(data.to);
        if (data.to === 'huis_clos') state.currentIndex = null;
        // What happened behind closed doors (another item) was not sent: start again from a
        // fresh snapshot.
        if (from === 'huis_clos' && data.to !== 'huis_clos') link.resync();
      } else if (event.type === 'item_changed' && Number.isInteger(data.index)) {
        state.currentIndex = data.index;
        state.doneUpTo = Math.max(state.doneUpTo, data.index);
      } else if (event.type === 'vote_recorded') {
        if (addVote(data)) state.lastVote = data.item;
      } else if (event.type === 'agenda_loaded' && data.agenda) {
        state.meeting = data.agenda.meeting || {};
        state.items = Array.isArray(data.agenda.items) ? data.agenda.items : [];
      }
      break;
    }
    case 'lives':
      if (Array.isArray(message.lives)) state.lives = message.lives;
      break;
    case 'edge_status':
      state.edgeUnreachable = townHallUnreachable(message);
      break;
    default:
      return;  // the questions' messages, anything newer
  }
  renderAll();
}

// ---------------------------------------------------------------------------------------
// The lives: a player only from an address of the platform's own form.

const ID = /^[A-Za-z0-9_-]{1,64}$/;
const PEERTUBE_ID = /^[A-Za-z0-9-]{8,64}$/;

function parsedHttps(url) {
  if (typeof url !== 'string' || url.length > 2000) return null;
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' || parsed.username || parsed.password) return null;
  return parsed;
}

function youtubeEmbed(url) {
  const u = parsedHttps(url);
  if (!u) return null;
  let id = null;
  if (['www.youtube.com', 'youtube.com', 'm.youtube.com'].includes(u.hostname)) {
    if (u.pathname === '/watch') id = u.searchParams.get('v');
    else id = (u.pathname.match(/^\/live\/([^/]+)\/?$/) || [])[1];
  } else if (u.hostname === 'youtu.be') {
    id = (u.pathname.match(/^\/([^/]+)\/?$/) || [])[1];
  }
  return id && ID.test(id) ? `https://www.youtube-nocookie.com/embed/${id}` : null;
}

function facebookEmbed(url) {
  const u = parsedHttps(url);
  if (!u || !(u.hostname === 'facebook.com' || u.hostname.endsWith('.facebook.com')) || u.port) return null;
  // A live's permalink: /<page>/videos/<digits>/ (or /watch/?v=<digits>).
  const video = /^\/[A-Za-z0-9._-]+\/videos\/\d{1,30}\/?$/.test(u.pathname)
    || (u.pathname.replace(/\/$/, '') === '/watch' && /^\d{1,30}$/.test(u.searchParams.get('v') || ''));
  if (!video) return null;
  const href = `https://www.facebook.com${u.pathname}${u.search}`;
  return `https://www.facebook.com/plugins/video.php?href=${encodeURIComponent(href)}&show_text=false`;
}

function peertubeEmbed(url) {
  const u = parsedHttps(url);
  if (!u) return null;
  const id = (u.pathname.match(/^\/(?:w|videos\/watch)\/([^/]+)\/?$/) || [])[1];
  return id && PEERTUBE_ID.test(id) ? `https://${u.host}/videos/embed/${id}` : null;
}

const EMBEDS = { youtube: youtubeEmbed, facebook: facebookEmbed, peertube: peertubeEmbed };

// {name, embed, href}: embed null unless the address passed its platform's checks; href
// null unless it is an http(s) address at all (never a javascript: one).
export function liveTargets(live) {
  const platform = live && typeof live.platform === 'string' && EMBEDS[live.platform] ? live.platform : null;
  const url = live && typeof live.url === 'string' ? live.url : '';
  let href = null;
  try {
    const u = new URL(url);
    if ((u.protocol === 'https:' || u.protocol === 'http:') && !u.username && !u.password) href = u.href;
  } catch {
    href = null;
  }
  return {
    platform,
    name: platform ? ORIGIN_NAMES[platform] : 'la plateforme',
    nameEn: platform ? ORIGIN_NAMES[platform] : 'the platform',
    embed: platform && href ? EMBEDS[platform](url) : null,
    href,
  };
}

// One entry per live, kept across renders so that a player once loaded stays.
const liveEntries = new Map();  // platform + url → li

function liveItem(live) {
  const key = `${live.platform}\u0000${live.url}`;
  if (liveEntries.has(key)) return liveEntries.get(key);
  const target = liveTargets(live);
  const li = el('li', { class: 'live', testid: 'live', dataset: { platform: target.platform || 'other' } });
  const actions = el('div', { class: 'live-actions' });
  if (target.embed) {
    const player = el('div', { class: 'player', testid: 'live-player', hidden: true });
    const button = el('button', {
      type: 'button',
      class: 'watch-button',
      testid: 'live-watch',
      onclick: () => {
        if (player.firstChild) return;
        // Only now does anything come from the platform.
        player.append(el('iframe', {
          src: target.embed,
          title: `Lecteur ${target.name} — séance du conseil municipal`,
          allow: 'autoplay; encrypted-media; picture-in-picture; fullscreen',
          allowfullscreen: true,
          referrerpolicy: 'strict-origin-when-cross-origin',
          sandbox: 'allow-scripts allow-same-origin allow-presentation allow-popups',
          testid: 'live-frame',
        }));
        show(player, true);
        button.disabled = true;
      },
    }, `Regarder sur ${target.name}`);
    actions.append(button);
    li.append(actions, player);
  } else {
    li.append(actions);
  }
  if (target.href) {
    actions.append(el('a', {
      class: 'live-link', testid: 'live-link', href: target.href, target: '_blank', rel: 'noopener noreferrer',
    }, `Ouvrir sur ${target.name}`, ' ', el('span', { class: 'en', lang: 'en' }, `open on ${target.nameEn}`)));
  }
  liveEntries.set(key, li);
  return li;
}

// ---------------------------------------------------------------------------------------
// Rendering

function renderAll() {
  renderHeader();
  renderNow();
  renderLives();
  renderAgenda();
  show(byTestId('edge-banner'), state.edgeUnreachable);
  show(byTestId('questions-link'), state.questionsOpen);
}

function sessionState() {
  return state.session ? state.session.state : '';
}

function renderHeader() {
  const meeting = state.meeting || {};
  const commune = typeof meeting.commune === 'string' && meeting.commune ? meeting.commune : 'Conseil municipal';
  setText(byTestId('commune'), commune);
  setText(byTestId('meeting-title'), [meeting.title, meeting.date].filter((v) => typeof v === 'string' && v).join(' · '));
  document.title = `La séance en direct — ${commune}`;
  renderSessionBadge(state.session);
}

const itemAt = (index) => (Number.isInteger(index) && index >= 0 && index < state.items.length ? state.items[index] : null);
const itemNumbered = (number) => state.items.find((item) => item.number === number) || null;

function renderNow() {
  const s = sessionState();
  const words = SESSION_WORDS[s];
  const sessionText = byTestId('session-text');
  sessionText.dataset.state = s;
  setText(sessionText, words ? words.fr : (state.session ? state.session.label || s : 'Connexion à la séance…'));
  setText(byTestId('session-text-en'), words ? words.en : '');
  const huisClos = s === 'huis_clos';
  show(byTestId('notice-huis-clos'), huisClos);

  const item = huisClos ? null : itemAt(state.currentIndex);
  const current = byTestId('current');
  show(current, Boolean(item));
  if (item) {
    current.dataset.index = String(state.currentIndex);
    setText(byTestId('current-number'), `Point ${item.number}`);
    setText(byTestId('current-kind'), KINDS[item.kind] || '');
    setText(byTestId('current-title'), item.title);
    setText(byTestId('current-rapporteur'), item.rapporteur ? `Rapporteur : ${item.rapporteur}` : '');
  }

  const vote = huisClos || state.lastVote === null ? null : state.votes.get(state.lastVote);
  const box = byTestId('last-vote');
  show(box, Boolean(vote));
  if (vote) {
    const voted = itemNumbered(vote.item);
    const result = RESULTS[vote.result] || { fr: String(vote.result || ''), en: '' };
    box.dataset.item = vote.item;
    setText(byTestId('last-vote-item'), voted ? `Point ${vote.item} : ${voted.title}` : `Point ${vote.item}`);
    const resultNode = byTestId('last-vote-result');
    resultNode.dataset.result = String(vote.result || '');
    setText(resultNode, result.fr);
    setText(byTestId('last-vote-counts'), countsText(vote));
  }
}

function countsText(vote) {
  const c = vote.counts || {};
  const n = (v) => (Number.isInteger(v) && v >= 0 ? v : 0);
  const parts = [`pour ${n(c.pour)}`, `contre ${n(c.contre)}`, `abstention${n(c.abstention) > 1 ? 's' : ''} ${n(c.abstention)}`];
  if (n(c.npp) > 0) parts.push(`ne prend pas part ${n(c.npp)}`);
  return `${parts.join(', ')}${vote.ballot === 'secret' ? ' (vote à bulletin secret)' : ''}`;
}

function renderLives() {
  const lives = state.lives.filter((live) => live && typeof live === 'object');
  const items = lives.map(liveItem);
  const list = byTestId('lives-list');
  const keep = new Set(items);
  for (const [key, li] of liveEntries) if (!keep.has(li)) liveEntries.delete(key);
  if (items.length !== list.children.length || items.some((li, i) => list.children[i] !== li)) list.replaceChildren(...items);
  show(byTestId('lives'), items.length > 0);
}

function renderAgenda() {
  const s = sessionState();
  const over = s === 'seance_levee' || s === 'questions_public' || s === 'terminee';
  const current = s === 'huis_clos' ? null : state.currentIndex;
  const items = state.items.map((item, index) => {
    const vote = state.votes.get(item.number);
    const kind = index === current && !over ? 'current'
      : (over && index <= state.doneUpTo) || index < state.doneUpTo || vote ? 'done' : 'upcoming';
    const tag = el('span', { class: 'tag', testid: 'item-tag', dataset: { kind } });
    if (vote) {
      tag.dataset.result = String(vote.result || '');
      setText(tag, (RESULTS[vote.result] || { fr: '' }).fr);
    } else {
      setText(tag, kind === 'current' ? 'En cours' : kind === 'done' ? 'Traité' : '');
    }
    return el('li', { class: 'item', testid: 'agenda-item', dataset: { state: kind, number: String(item.number || '') } },
      el('div', { class: 'line' },
        el('span', { class: 'n', testid: 'item-number' }, String(item.number || '')),
        el('span', { class: 't', testid: 'item-title' }, String(item.title || '')),
        tag),
      el('p', { class: 'r', testid: 'item-rapporteur' }, item.rapporteur ? String(item.rapporteur) : ''),
      KINDS[item.kind] ? el('p', { class: 'r' }, KINDS[item.kind]) : null);
  });
  byTestId('agenda-list').replaceChildren(...items);
  show(byTestId('agenda-empty'), items.length === 0);
}

// ---------------------------------------------------------------------------------------
// Start

function start() {
  setInterval(() => renderRetryBanner(link), 1000);
  renderAll();
  renderConnectionStatus(link);
  link.start();
}

start();
