// The fix: store the loading promise in the same synchronous step that found the
// entry missing, so every caller shares one load.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const users = new Map();
let loads = 0;

async function loadUser(id) {
  loads++;
  await sleep(10); // database round trip
  return { id, name: `user ${id}` };
}

function getUser(id) {
  let pending = users.get(id);
  if (!pending) {
    pending = loadUser(id);
    users.set(id, pending);
  }
  return pending;
}

async function main() {
  const [a, b] = await Promise.all([getUser('u1'), getUser('u1')]);
  console.log(`loads: ${loads}, same object: ${a === b}`);
}

main();
