// expect: race
// why: the defaults file and the user's overrides are read in parallel and each callback writes every
// why: key it finds; independent I/O completions are unordered, so either file's 'theme' can win.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'layered-config-'));
const defaultsFile = path.join(dir, 'defaults.json');
const userFile = path.join(dir, 'user.json');
fs.writeFileSync(defaultsFile, JSON.stringify({ theme: 'light', fontSize: 14, telemetry: true }));
fs.writeFileSync(userFile, JSON.stringify({ theme: 'dark' }));

const settings = new Map();
let loaded = 0;

function finish() {
  if (++loaded < 2) return;
  const keys = ['fontSize', 'telemetry', 'theme'];
  console.log(`loaded ${keys.filter((k) => settings.has(k)).length} settings from 2 files`);
  fs.rmSync(dir, { recursive: true, force: true });
}

fs.readFile(defaultsFile, 'utf8', (err, text) => {
  if (err) throw err;
  for (const [key, value] of Object.entries(JSON.parse(text))) {
    settings.set(key, value); // RACE
  }
  finish();
});

fs.readFile(userFile, 'utf8', (err, text) => {
  if (err) throw err;
  for (const [key, value] of Object.entries(JSON.parse(text))) {
    settings.set(key, value); // RACE
  }
  finish();
});
