// expect: race
// why: the async 'data' handler reads the tenant's byte count, awaits the quota service, then writes
// why: used + chunk; chunks of the two uploads interleave at that await, so increments are lost.
'use strict';
const { Readable } = require('node:stream');
const { setTimeout: sleep } = require('node:timers/promises');

const bytesByTenant = new Map();

async function checkQuota(tenant) {
  await sleep(5); // quota service round trip
  return tenant.length > 0;
}

function meter(upload, tenant) {
  let seen = 0;
  upload.on('data', async (chunk) => {
    seen += chunk.length;
    const used = bytesByTenant.get(tenant) ?? 0; // RACE
    if (!(await checkQuota(tenant))) return;
    bytesByTenant.set(tenant, used + chunk.length); // RACE
  });
  return new Promise((resolve) => upload.on('end', () => resolve(seen)));
}

async function main() {
  const a = Readable.from(['x'.repeat(100), 'x'.repeat(200)]);
  const b = Readable.from(['y'.repeat(300), 'y'.repeat(400)]);
  const sizes = await Promise.all([meter(a, 'acme'), meter(b, 'acme')]);
  await sleep(30); // let the last quota checks finish
  const actual = sizes.reduce((x, y) => x + y, 0);
  console.log(`acme metered ${bytesByTenant.get('acme')} bytes, uploaded ${actual}`);
}

main();
