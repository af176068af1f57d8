// expect: none
// why: countersFor() gets or creates a tenant's Map in one call, and every stat callback increments its
// why: counter with get and set in the same callback; the summary runs after Promise.all joins them.
'use strict';
const fs = require('node:fs');

const perTenant = new WeakMap();

function countersFor(tenant) {
  let counters = perTenant.get(tenant);
  if (!counters) {
    counters = new Map();
    perTenant.set(tenant, counters);
  }
  return counters;
}

function recordFileCheck(tenant, kind) {
  return new Promise((resolve, reject) => {
    fs.stat(__filename, (err) => {
      if (err) return reject(err);
      const counters = countersFor(tenant);
      counters.set(kind, (counters.get(kind) ?? 0) + 1);
      resolve();
    });
  });
}

const acme = { id: 'acme' };
const globex = { id: 'globex' };

Promise.all([
  recordFileCheck(acme, 'scan'),
  recordFileCheck(acme, 'scan'),
  recordFileCheck(globex, 'scan'),
  recordFileCheck(acme, 'thumbnail'),
]).then(() => {
  for (const tenant of [acme, globex]) {
    console.log(`${tenant.id}: ${[...countersFor(tenant)].map(([k, n]) => `${k}=${n}`).join(' ')}`);
  }
});
