// expect: none
// why: broadcast() snapshots the registry with [...values()] in one event and awaits over the copy;
// why: the concurrent connect/disconnect handlers each change the Map in one event of their own.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');
const { Connection, ConnectionRegistry } = require('./registry');

const registry = new ConnectionRegistry();
for (const id of ['ws-1', 'ws-2', 'ws-3']) registry.register(new Connection(id));

async function onDisconnect(id) {
  await sleep(7); // close frame arrives
  registry.unregister(id);
}

async function onConnect(id) {
  await sleep(3); // upgrade handshake
  registry.register(new Connection(id));
}

async function main() {
  const [delivered] = await Promise.all([
    registry.broadcast('deploy finished'),
    onDisconnect('ws-2'),
    onConnect('ws-4'),
  ]);
  console.log(`broadcast delivered to ${delivered} connections`);
  console.log(`connected now: ${registry.ids().sort().join(',')}`);
}

main();
