// expect: race
// why: addToCart checks catalog.has(sku), awaits the price quote, then uses catalog.get(sku); a delisting
// why: that deletes the product during the await makes the later get return undefined (stale check).
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const catalog = new Map([
  ['sku-1', { name: 'Desk lamp' }],
  ['sku-2', { name: 'Standing desk' }],
]);

async function quote(sku) {
  await sleep(20); // pricing service
  return sku === 'sku-1' ? 2999 : 49900;
}

async function addToCart(cart, sku) {
  if (!catalog.has(sku)) return `unknown ${sku}`; // RACE
  const cents = await quote(sku);
  const product = catalog.get(sku); // RACE
  try {
    cart.push({ sku, name: product.name, cents });
    return `added ${product.name}`;
  } catch (err) {
    return `failed: ${err.constructor.name}`;
  }
}

async function delist(sku) {
  await sleep(5); // merchant removes the listing
  catalog.delete(sku); // RACE
}

async function main() {
  const cart = [];
  const [outcome] = await Promise.all([addToCart(cart, 'sku-2'), delist('sku-2')]);
  console.log(`addToCart: ${outcome}; cart has ${cart.length} item(s)`);
}

main();
