// expect: race
// why: touch() reads the session, awaits the write-through, then stores an updated copy; a logout that
// why: deletes the session during that await is undone by the set, so the logged-out session lives on.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');
const { SessionStore } = require('./session-store');

const store = new SessionStore();
store.create('sid-7', 'user-7');

async function handlePageView(sid) {
  await sleep(1); // parse cookies
  return store.touch(sid, Date.now());
}

async function handleLogout(sid) {
  await sleep(10); // verify CSRF token
  store.logout(sid);
}

async function main() {
  const [touched] = await Promise.all([handlePageView('sid-7'), handleLogout('sid-7')]);
  console.log(`page view touched session: ${touched}`);
  console.log(`session active after logout: ${store.isActive('sid-7')} (expected false)`);
}

main();
