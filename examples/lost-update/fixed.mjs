// The fix: hold a lock across the await. Each deposit starts only when the previous
// one has finished, so every read sees the last write.
import { setTimeout as sleep } from 'node:timers/promises';

const balances = new Map([['acct-1', 100]]);

let tail = Promise.resolve();
function withLock(fn) {
  const run = tail.then(fn);
  tail = run.catch(() => {});
  return run;
}

async function deposit(account, amount) {
  return withLock(async () => {
    const balance = balances.get(account);
    await sleep(5); // append to the ledger
    balances.set(account, balance + amount);
  });
}

await Promise.all([deposit('acct-1', 50), deposit('acct-1', 30)]);
console.log('balance:', balances.get('acct-1'), '(expected 180)');
