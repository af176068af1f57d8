// Counts requests per client; `hit` says whether the request is within the limit.
export class RateLimiter {
  constructor(limit, audit) {
    this.limit = limit;
    this.audit = audit; // writes each hit to an audit log
    this.counts = new Map();
  }

  // Racy: read the count, await the audit log, write count + 1. Hits that
  // arrive together all read the same count, so all but one are lost and a
  // client can go over its limit.
  async hit(client) {
    const count = (this.counts.get(client) ?? 0) + 1;
    await this.audit(client, count);
    this.counts.set(client, count);
    return count <= this.limit;
  }

  // Fixed: count in the same synchronous step as the read, then await.
  async hitCounted(client) {
    const count = (this.counts.get(client) ?? 0) + 1;
    this.counts.set(client, count);
    await this.audit(client, count);
    return count <= this.limit;
  }
}
