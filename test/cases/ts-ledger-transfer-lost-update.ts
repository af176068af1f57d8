// expect: race
// run: node --import tsx {file}
// why: transfer() reads the payer's balance, awaits the fraud check, then writes balance - amount; two
// why: transfers from alice both read 100 and both write their own result, so one debit is lost.
import { setTimeout as sleep } from 'node:timers/promises';

type AccountId = string;

interface TransferResult {
  readonly ok: boolean;
  readonly reason?: string;
}

class Ledger {
  private readonly balances = new Map<AccountId, number>();

  open(account: AccountId, cents: number): void {
    this.balances.set(account, cents);
  }

  async transfer(from: AccountId, to: AccountId, cents: number): Promise<TransferResult> {
    const fromBalance = this.balances.get(from) ?? 0; // RACE
    if (fromBalance < cents) return { ok: false, reason: 'insufficient funds' };
    await this.fraudCheck(from, to, cents);
    this.balances.set(from, fromBalance - cents); // RACE
    this.balances.set(to, (this.balances.get(to) ?? 0) + cents);
    return { ok: true };
  }

  total(): number {
    let sum = 0;
    for (const cents of this.balances.values()) sum += cents;
    return sum;
  }

  private async fraudCheck(from: AccountId, to: AccountId, cents: number): Promise<void> {
    await sleep(10); // risk engine
    if (from === to || cents <= 0) throw new Error('rejected by risk engine');
  }
}

async function main(): Promise<void> {
  const ledger = new Ledger();
  ledger.open('alice', 100);
  ledger.open('bob', 0);
  ledger.open('carol', 0);
  const before = ledger.total();
  const results = await Promise.all([ledger.transfer('alice', 'bob', 60), ledger.transfer('alice', 'carol', 30)]);
  console.log(`transfers ok: ${results.map((r) => r.ok).join(',')}; money before ${before}, after ${ledger.total()}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
