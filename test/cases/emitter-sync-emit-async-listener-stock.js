// expect: race
// why: emit() calls the async listener twice in one event; both read stock 5 before the first payment
// why: await ends, both pass the check, and each writes stock - 3: the mug is oversold (lost update).
'use strict';
const { EventEmitter } = require('node:events');
const { setTimeout: sleep } = require('node:timers/promises');

const shop = new EventEmitter();
const stock = new Map();
stock.set('sku-mug', 5);
const confirmed = [];

async function chargeCard(order) {
  await sleep(10); // payment provider
  return `ch_${order.id}`;
}

shop.on('order', async (order) => {
  const available = stock.get(order.sku); // RACE
  if (available < order.qty) return;
  const charge = await chargeCard(order);
  stock.set(order.sku, available - order.qty); // RACE
  confirmed.push(`${order.id}:${charge}`);
});

// A batch import emits its orders synchronously; the listener is async.
shop.emit('order', { id: 'o-1', sku: 'sku-mug', qty: 3 });
shop.emit('order', { id: 'o-2', sku: 'sku-mug', qty: 3 });

setTimeout(() => {
  console.log(`confirmed ${confirmed.length} orders for 6 mugs; stock says ${stock.get('sku-mug')} left of 5`);
}, 40);
