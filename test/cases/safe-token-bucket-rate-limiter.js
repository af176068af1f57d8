// expect: none
// why: tryRemove() refills and takes a token with get and set in one synchronous call before the
// why: request's work awaits anything; concurrent calls for the same client cannot both spend a token.
'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class TokenBucketLimiter {
  constructor(capacity, refillPerSec) {
    this.capacity = capacity;
    this.refillPerSec = refillPerSec;
    this.buckets = new Map();
  }

  tryRemove(client, now) {
    const bucket = this.buckets.get(client) ?? { tokens: this.capacity, at: now };
    const tokens = Math.min(this.capacity, bucket.tokens + ((now - bucket.at) / 1000) * this.refillPerSec);
    if (tokens < 1) {
      this.buckets.set(client, { tokens, at: now });
      return false;
    }
    this.buckets.set(client, { tokens: tokens - 1, at: now });
    return true;
  }
}

const limiter = new TokenBucketLimiter(3, 0);

async function handle(client, n) {
  await sleep(n % 3); // TLS + header parsing
  if (!limiter.tryRemove(client, 0)) return 429;
  await sleep(10); // the actual work
  return 200;
}

async function main() {
  const statuses = await Promise.all([1, 2, 3, 4, 5].map((n) => handle('key-9', n)));
  const ok = statuses.filter((s) => s === 200).length;
  console.log(`accepted ${ok} of ${statuses.length} (capacity 3), rejected ${statuses.length - ok}`);
}

main();
