// expect: race
// why: broadcast iterates the live subscribers Set and awaits each delivery; a client that subscribes
// why: during the loop is appended to the Set and visited, so it gets a message published before it joined.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const subscribers = new Set();
const inbox = new Map();

function subscribe(name) {
  inbox.set(name, []);
  subscribers.add(name); // RACE
}

async function deliver(name, message) {
  await sleep(5); // push over the client's socket
  inbox.get(name).push(message);
}

async function broadcast(message) {
  for (const name of subscribers) { // RACE
    await deliver(name, message);
  }
}

async function lateJoiner() {
  await sleep(7);
  subscribe('carol');
}

subscribe('alice');
subscribe('bob');

Promise.all([broadcast('price alert #41 (before carol joined)'), lateJoiner()]).then(() => {
  for (const [name, messages] of inbox) console.log(`${name}: ${messages.length} message(s)`);
});
