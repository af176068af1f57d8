// expect: none
// why: each request reads its own session, awaits the write-through and stores the update; the tasks
// why: touch different keys, and inserting different new keys does not conflict.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const sessions = new Map();

async function persist(sid) {
  await sleep(5 + sid.length); // UPDATE sessions ...
}

async function login(sid, user) {
  await sleep(1);
  sessions.set(sid, { user, hits: 0 });
}

async function touch(sid) {
  const session = sessions.get(sid);
  await persist(sid);
  sessions.set(sid, { ...session, hits: session.hits + 1 });
}

async function visit(sid, user, pages) {
  await login(sid, user);
  for (let i = 0; i < pages; i++) await touch(sid);
}

async function main() {
  await Promise.all([visit('s-ada', 'ada', 3), visit('s-grace', 'grace', 2), visit('s-linus', 'linus', 1)]);
  for (const [sid, s] of sessions) console.log(`${sid}: ${s.user} ${s.hits} hits`);
}

main();
