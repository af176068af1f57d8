// expect: none
// why: transfers from one account are chained on that account's tail promise, so each read -> await ->
// why: write runs after the previous one finished; the lock Map itself is read and written in one event.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

const balances = new Map([['alice', 100], ['bob', 0], ['carol', 0]]);
const tails = new Map();

function withAccountLock(account, critical) {
  const previous = tails.get(account) ?? Promise.resolve();
  const run = previous.then(critical);
  tails.set(account, run.catch(() => undefined));
  return run;
}

async function riskCheck(cents) {
  await sleep(8); // risk engine
  return cents < 1000;
}

function transfer(from, to, cents) {
  return withAccountLock(from, async () => {
    const fromBalance = balances.get(from);
    if (fromBalance < cents || !(await riskCheck(cents))) return false;
    balances.set(from, fromBalance - cents);
    balances.set(to, balances.get(to) + cents);
    return true;
  });
}

async function main() {
  const results = await Promise.all([transfer('alice', 'bob', 60), transfer('alice', 'carol', 30), transfer('alice', 'bob', 20)]);
  const total = [...balances.values()].reduce((a, b) => a + b, 0);
  console.log(`transfers: ${results.join(',')}; alice ${balances.get('alice')}, total ${total} (was 100)`);
}

main();
