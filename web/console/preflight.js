// Tribune — the console's "Vérifier avant la séance" (docs/PREFLIGHT.md): one button, one
// report in plain French, each line green, orange or red with what to do. Mounted on the
// standby screen and in the meeting console (each container marked data-preflight); the
// server runs the check (POST /api/preflight, about 20 s: the source looked at, each
// destination probed, the uplink measured) and answers with the report. Every text from
// the server becomes a text node (el, setText), never markup.
//
//   mountPreflight(container, { api });

import { el, setText } from '../shared/tribune-connection.js';

const LEVEL_LABELS = { green: 'OK', orange: 'À voir', red: 'À corriger' };
const OVERALL = {
  green: 'Tout est prêt pour la séance.',
  orange: 'La séance peut avoir lieu ; voyez les points en orange.',
  red: 'À corriger avant la séance : les points en rouge.',
};
const BUSY_TEXT = 'Vérification en cours… (environ 20 s)';

function lineNode(line) {
  const level = Object.hasOwn(LEVEL_LABELS, line.level) ? line.level : 'red';
  return el('li', { class: 'preflight-line', testid: 'preflight-line', dataset: { level, id: String(line.id || '') } },
    el('span', { class: 'preflight-level', text: LEVEL_LABELS[level] }),
    el('span', { class: 'preflight-text', text: String(line.text || '') }),
    line.advice ? el('span', { class: 'preflight-advice', text: `→ ${line.advice}` }) : null);
}

export function mountPreflight(container, { api }) {
  const button = el('button', { type: 'button', class: 'primary', testid: 'preflight-run' },
    'Vérifier avant la séance ', el('span', { class: 'en', lang: 'en', text: 'pre-flight check' }));
  const status = el('p', { class: 'preflight-status', testid: 'preflight-status', role: 'status', 'aria-live': 'polite' });
  const list = el('ul', { class: 'preflight-lines', testid: 'preflight-lines' });
  container.append(button, status, list);

  function say(level, text) {
    status.dataset.level = level;
    setText(status, text);
  }

  async function run() {
    button.disabled = true;
    container.setAttribute('aria-busy', 'true');
    container.dataset.state = 'running';
    say('busy', BUSY_TEXT);
    let reply = null;
    let data = {};
    try {
      reply = await api('/api/preflight', { method: 'POST' });
      data = await reply.json().catch(() => ({}));
    } catch {
      reply = null;
    }
    button.disabled = false;
    container.removeAttribute('aria-busy');
    container.dataset.state = 'done';
    if (!reply) {
      say('red', 'Le serveur ne répond pas : vérifiez que Tribune est lancé, puis réessayez.');
      return;
    }
    if (reply.status !== 200 || !data || !Array.isArray(data.lines)) {
      // 409: another check runs (from another console); keep its last report on screen.
      // 404 without a message: `tribune run`, whose hub has no such request.
      let message = `Vérification impossible (réponse ${reply.status} du serveur).`;
      if (data && typeof data.message === 'string' && data.message) message = data.message;
      else if (reply.status === 404) message = 'Vérification indisponible ici : elle se fait sous « tribune serve », ou hors séance avec « tribune check --preflight ».';
      say(reply.status === 409 ? 'orange' : 'red', message);
      return;
    }
    list.replaceChildren(...data.lines.map(lineNode));
    const overall = Object.hasOwn(OVERALL, data.level) ? data.level : 'red';
    say(overall, `${OVERALL[overall]} (vérifié à ${new Date().toLocaleTimeString('fr-FR', { hour: '2-digit', minute: '2-digit' })})`);
  }

  button.addEventListener('click', run);
}
