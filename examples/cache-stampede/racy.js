// Two requests for the same user arrive together: both miss the cache, both load
// the user, and the second load overwrites the first (a cache stampede).
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const users = new Map();
let loads = 0;

async function loadUser(id) {
  loads++;
  await sleep(10); // database round trip
  return { id, name: `user ${id}` };
}

async function getUser(id) {
  if (!users.has(id)) {
    const user = await loadUser(id);
    users.set(id, user);
  }
  return users.get(id);
}

async function main() {
  const [a, b] = await Promise.all([getUser('u1'), getUser('u1')]);
  console.log(`loads: ${loads}, same object: ${a === b}`);
}

main();
