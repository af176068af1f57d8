// expect: none
// why: the async listener checks and decrements the stock before its first await (one event), then
// why: awaits the payment; a failed charge puts the units back with another one-event update, and
// why: the summary waits for every listener's promise (join) before it reads the stock.
'use strict';
const { EventEmitter } = require('node:events');
const { setTimeout: sleep } = require('node:timers/promises');

const shop = new EventEmitter();
const stock = new Map();
stock.set('sku-mug', 5);
const outcomes = [];
const handling = [];

async function chargeCard(order) {
  await sleep(10); // payment provider
  if (order.card === 'expired') throw new Error('card declined');
  return `ch_${order.id}`;
}

async function handleOrder(order) {
  const available = stock.get(order.sku);
  if (available < order.qty) {
    outcomes.push(`${order.id}:sold-out`);
    return;
  }
  stock.set(order.sku, available - order.qty);
  try {
    await chargeCard(order);
    outcomes.push(`${order.id}:confirmed`);
  } catch {
    stock.set(order.sku, stock.get(order.sku) + order.qty);
    outcomes.push(`${order.id}:declined`);
  }
}

shop.on('order', (order) => {
  handling.push(handleOrder(order));
});

shop.emit('order', { id: 'o-1', sku: 'sku-mug', qty: 3, card: 'visa' });
shop.emit('order', { id: 'o-2', sku: 'sku-mug', qty: 3, card: 'visa' });
shop.emit('order', { id: 'o-3', sku: 'sku-mug', qty: 2, card: 'expired' });

Promise.all(handling).then(() => {
  console.log(`${outcomes.sort().join(' ')}; stock left ${stock.get('sku-mug')}`);
});
