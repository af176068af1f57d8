// Two deposits read the balance, await the ledger write, then store balance + amount:
// the second store is computed from a stale read, so one deposit is lost.
import { setTimeout as sleep } from 'node:timers/promises';

const balances = new Map([['acct-1', 100]]);

async function deposit(account, amount) {
  const balance = balances.get(account);
  await sleep(5); // append to the ledger
  balances.set(account, balance + amount);
}

await Promise.all([deposit('acct-1', 50), deposit('acct-1', 30)]);
console.log('balance:', balances.get('acct-1'), '(expected 180)');
