// expect: none
// why: digestOf() stores the scrypt promise in the per-document WeakMap in the same call that found it
// why: missing (get-or-create in one event); the ETag and the signature both await that one promise.
'use strict';
const crypto = require('node:crypto');
const { promisify } = require('node:util');
const { setTimeout: sleep } = require('node:timers/promises');

const scrypt = promisify(crypto.scrypt);
const digests = new WeakMap();
let derivations = 0;

function digestOf(doc) {
  let pending = digests.get(doc);
  if (!pending) {
    derivations++;
    pending = scrypt(doc.body, doc.salt, 16).then((key) => key.toString('hex'));
    digests.set(doc, pending);
  }
  return pending;
}

async function etagFor(doc) {
  await sleep(1); // conditional-request headers
  return `W/"${(await digestOf(doc)).slice(0, 8)}"`;
}

async function signatureFor(doc) {
  await new Promise((resolve) => setImmediate(resolve)); // load the signing policy
  return `sig=${(await digestOf(doc)).slice(0, 12)}`;
}

async function main() {
  const report = { id: 'report-2024', body: 'quarterly numbers', salt: 'per-tenant-salt' };
  const invoice = { id: 'inv-7', body: 'amount due', salt: 'per-tenant-salt' };
  const parts = await Promise.all([etagFor(report), signatureFor(report), etagFor(invoice)]);
  console.log(`${parts.length} headers computed; scrypt derivations: ${derivations} for 2 documents`);
}

main();
