// expect: none
// why: each lookup is one event: get() moves a hit to the recent end with delete+set, a miss stores the
// why: loading promise at once (get-or-create), and eviction happens inside that same set.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class LruCache {
  constructor(max) {
    this.max = max;
    this.entries = new Map();
  }

  get(key) {
    if (!this.entries.has(key)) return undefined;
    const value = this.entries.get(key);
    this.entries.delete(key);
    this.entries.set(key, value);
    return value;
  }

  set(key, value) {
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.max) {
      this.entries.delete(this.entries.keys().next().value);
    }
  }
}

const geocodes = new LruCache(2);
let lookups = 0;

async function geocode(address) {
  lookups++;
  await sleep(10); // geocoding API
  return { address, lat: address.length, lng: -address.length };
}

function cachedGeocode(address) {
  let pending = geocodes.get(address);
  if (!pending) {
    pending = geocode(address);
    geocodes.set(address, pending);
  }
  return pending;
}

async function handleDelivery(order) {
  await sleep(order.delay); // validate the order
  const where = await cachedGeocode(order.address);
  return `${order.id}@${where.lat}`;
}

async function main() {
  const orders = [
    { id: 'd1', address: '1 Main St', delay: 1 },
    { id: 'd2', address: '1 Main St', delay: 2 },
    { id: 'd3', address: '9 Elm Rd', delay: 3 },
  ];
  const routed = await Promise.all(orders.map(handleDelivery));
  console.log(`routed ${routed.length} deliveries with ${lookups} geocoding calls`);
}

main();
