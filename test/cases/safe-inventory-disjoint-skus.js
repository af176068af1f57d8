// expect: none
// why: each restock task reads its own SKU, awaits the supplier, and writes that SKU back; the tasks
// why: run concurrently but never share a key, and the report reads the Map only after Promise.all.
'use strict';
const fs = require('node:fs/promises');
const { setTimeout: sleep } = require('node:timers/promises');

const onHand = new Map([['sku-lamp', 2], ['sku-desk', 0], ['sku-chair', 7]]);

async function supplierConfirms(sku, units) {
  await sleep(sku.length); // supplier API
  await fs.stat(__filename); // write the purchase order file
  return units;
}

async function restock(sku, target) {
  const current = onHand.get(sku);
  if (current >= target) return 0;
  const arrived = await supplierConfirms(sku, target - current);
  onHand.set(sku, current + arrived);
  return arrived;
}

async function main() {
  const ordered = await Promise.all([restock('sku-lamp', 10), restock('sku-desk', 4), restock('sku-chair', 5)]);
  console.log(`ordered ${ordered.join(',')} units; on hand ${[...onHand].map(([s, n]) => `${s}=${n}`).join(' ')}`);
}

main();
