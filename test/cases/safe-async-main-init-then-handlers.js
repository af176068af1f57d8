// expect: none
// why: main() writes the initial counters before it starts the handlers, each handler updates a counter
// why: with get and set in one event after its own await, and main reads them only after Promise.all.
'use strict';
const fs = require('node:fs/promises');
const { setTimeout: sleep } = require('node:timers/promises');

const stats = new Map();

async function handleUpload(name, size) {
  await fs.stat(__filename); // pretend to stat the stored object
  stats.set('uploads', stats.get('uploads') + 1);
  stats.set('bytes', stats.get('bytes') + size);
  return name;
}

async function handleDownload(name) {
  await sleep(3); // stream the object out
  stats.set('downloads', stats.get('downloads') + 1);
  return name;
}

async function main() {
  stats.set('uploads', 0);
  stats.set('downloads', 0);
  stats.set('bytes', 0);
  const served = await Promise.all([
    handleUpload('a.png', 1200),
    handleDownload('a.png'),
    handleUpload('b.png', 800),
    handleDownload('b.png'),
    handleDownload('c.png'),
  ]);
  console.log(`served ${served.length} requests: ${[...stats].map(([k, v]) => `${k}=${v}`).join(' ')}`);
}

main();
