// expect: none
// why: flush copies the buffered events and clears the Set in one event, then awaits the write of the
// why: copy; producers add in their own events, so each event lands in exactly one batch.
'use strict';
const fs = require('node:fs/promises');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const buffer = new Set();
const logFile = path.join(os.tmpdir(), `audit-${process.pid}.log`);
let batches = 0;

async function flush() {
  const batch = [...buffer];
  buffer.clear();
  if (batch.length === 0) return;
  batches++;
  await fs.appendFile(logFile, batch.join('\n') + '\n');
}

async function produce(prefix, n, gap) {
  for (let i = 0; i < n; i++) {
    await sleep(gap);
    buffer.add(`${prefix}-${i}`);
  }
}

async function flusher(rounds) {
  for (let i = 0; i < rounds; i++) {
    await sleep(4);
    await flush();
  }
}

async function main() {
  try {
    await Promise.all([produce('login', 4, 2), produce('export', 3, 3), flusher(3)]);
    await flush();
    const lines = (await fs.readFile(logFile, 'utf8')).trim().split('\n');
    console.log(`wrote ${lines.length} of 7 audit events`);
  } finally {
    await fs.rm(logFile, { force: true });
  }
}

main();
