// Signed-in visitors for the load scripts: the gallery answers only signed-in people, so the
// first run makes an account and each simulated visitor carries one of many sessions (as many
// people would), picked at random. Signing in is not part of a visit: it costs an Argon2id
// verification (about 70 ms of a core) that a real visitor pays once a month, not per page.
'use strict';

const fs = require('fs');

const USERNAME = 'load';
const PASSWORD = 'load test password';

async function post(url, body) {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(30000),
  });
}

/** `name=value` of the session cookie an answer sets. */
function cookieOf(res) {
  const set = res.headers.get('set-cookie') || '';
  const pair = set.split(';')[0];
  if (!pair.startsWith('gaillery_session=')) throw new Error('no session cookie in the answer');
  return pair;
}

/** Makes the account on a new gallery, then `count` sessions of it. Returns the cookies. */
async function signIn(target, count) {
  const credentials = { username: USERNAME, password: PASSWORD };
  const cookies = [];
  const setup = await post(`${target}/api/setup`, credentials);
  if (setup.status === 201) cookies.push(cookieOf(setup));
  else if (setup.status !== 409) throw new Error(`first run: HTTP ${setup.status} ${await setup.text()}`);
  while (cookies.length < count) {
    const res = await post(`${target}/api/session`, credentials);
    if (res.status !== 204) throw new Error(`sign-in: HTTP ${res.status} ${await res.text()}`);
    cookies.push(cookieOf(res));
  }
  return cookies;
}

/** The sessions written by `gallery-tool.js sessions`, read once per Artillery worker. */
let loaded = null;
function sessions() {
  if (loaded === null) {
    const file = process.env.LOAD_SESSIONS;
    if (!file) throw new Error('LOAD_SESSIONS names no file of session cookies (see load/run.sh)');
    loaded = fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.length > 0);
    if (loaded.length === 0) throw new Error(`${file} holds no session`);
  }
  return loaded;
}

/** Artillery beforeScenario: this visitor's session, as `{{ cookie }}`. */
function pickSession(context, ee, next) {
  const all = sessions();
  context.vars.cookie = all[Math.floor(Math.random() * all.length)];
  return next();
}

module.exports = { signIn, pickSession };
