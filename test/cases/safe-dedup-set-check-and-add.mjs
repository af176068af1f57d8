// expect: none
// why: the consumer checks and records the message id in one event, before it awaits the handler, so a
// why: redelivery in another event sees the id and is dropped; processing happens exactly once.
import { setTimeout as sleep } from 'node:timers/promises';

const seen = new Set();
const charged = [];

async function chargeInvoice(message) {
  await sleep(15); // payment API
  charged.push(message.invoice);
}

async function onMessage(message) {
  if (seen.has(message.id)) return 'duplicate';
  seen.add(message.id);
  await chargeInvoice(message);
  return 'processed';
}

const message = { id: 'msg-301', invoice: 'inv-77' };
const deliveries = [
  onMessage(message),
  sleep(5).then(() => onMessage({ ...message })), // broker redelivers after a missed ack
  sleep(6).then(() => onMessage({ id: 'msg-302', invoice: 'inv-78' })),
];
const outcomes = await Promise.all(deliveries);
console.log(`${outcomes.join(',')}; charged ${charged.sort().join(',')}`);
