// expect: race
// why: main() starts loadFlags() without awaiting it, then serves checkouts that read
// why: flags.get('new-checkout').enabled; the file read and the handlers' timers are not ordered.
'use strict';
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { setTimeout: sleep } = require('node:timers/promises');

const flagsFile = path.join(os.tmpdir(), `flags-${process.pid}.json`);
fs.writeFileSync(flagsFile, JSON.stringify({ 'new-checkout': true, 'dark-mode': false }));

const flags = new Map();

async function loadFlags() {
  const text = await fs.promises.readFile(flagsFile, 'utf8');
  for (const [name, enabled] of Object.entries(JSON.parse(text))) {
    flags.set(name, { enabled }); // RACE
  }
}

async function handleCheckout(cartId) {
  await sleep(25); // load the cart
  const variant = flags.get('new-checkout').enabled ? 'v2' : 'v1'; // RACE
  return `${cartId}:${variant}`;
}

async function main() {
  loadFlags(); // fire-and-forget: nothing makes the handlers wait for it
  try {
    const pages = await Promise.all([handleCheckout('cart-1'), handleCheckout('cart-2')]);
    console.log(`rendered ${pages.join(', ')}`);
  } catch (err) {
    console.log(`checkout failed before flags loaded: ${err.message}`);
  } finally {
    fs.rmSync(flagsFile, { force: true });
  }
}

main();
