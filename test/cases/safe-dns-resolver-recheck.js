// expect: none
// why: resolve() misses, awaits the lookup, then checks the cache again and only writes if it is still
// why: missing: the task acts on what it reads after the await, so nothing it read before goes stale.
'use strict';
const dns = require('node:dns');

class Resolver {
  constructor() {
    this.cache = new Map();
    this.lookups = 0;
  }

  lookup(host) {
    this.lookups++;
    return new Promise((resolve, reject) => {
      dns.lookup(host, { family: 4 }, (err, address) => (err ? reject(err) : resolve(address)));
    });
  }

  async resolve(host) {
    if (!this.cache.has(host)) {
      const address = await this.lookup(host);
      if (!this.cache.has(host)) this.cache.set(host, { address, at: Date.now() });
    }
    return this.cache.get(host).address;
  }
}

async function main() {
  const resolver = new Resolver();
  const addresses = await Promise.all([resolver.resolve('localhost'), resolver.resolve('localhost'), resolver.resolve('localhost')]);
  console.log(addresses.join(' '), `lookups=${resolver.lookups}`, `cached=${resolver.cache.size}`);
}

main();
