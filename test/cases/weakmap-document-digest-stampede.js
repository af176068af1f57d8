// expect: race
// why: digestOf() checks the per-document WeakMap, awaits scrypt, then stores the digest; the ETag and
// why: the signature ask for the same document concurrently and both derive the key (stampede).
'use strict';
const crypto = require('node:crypto');
const { promisify } = require('node:util');

const scrypt = promisify(crypto.scrypt);
const digests = new WeakMap();
let derivations = 0;

async function digestOf(doc) {
  if (digests.has(doc)) return digests.get(doc); // RACE
  derivations++;
  const key = await scrypt(doc.body, doc.salt, 16);
  const digest = key.toString('hex');
  digests.set(doc, digest); // RACE
  return digest;
}

async function etagFor(doc) {
  return `W/"${(await digestOf(doc)).slice(0, 8)}"`;
}

async function signatureFor(doc) {
  return `sig=${(await digestOf(doc)).slice(0, 12)}`;
}

async function main() {
  const doc = { id: 'report-2024', body: 'quarterly numbers', salt: 'per-tenant-salt' };
  const [etag, signature] = await Promise.all([etagFor(doc), signatureFor(doc)]);
  console.log(`${etag.length > 0 ? 'etag ok' : 'no etag'}, ${signature.length > 4 ? 'signed' : 'unsigned'}`);
  console.log(`scrypt derivations: ${derivations} (expected 1)`);
}

main();
