'use strict';
const { setTimeout: sleep } = require('node:timers/promises');

class SessionStore {
  constructor() {
    this.sessions = new Map();
    this.tableWrites = 0;
  }

  create(sid, userId) {
    this.sessions.set(sid, { sid, userId, lastSeen: 0, hits: 0 });
  }

  // Sliding expiry: bump lastSeen and write it through to the session table.
  async touch(sid, now) {
    const session = this.sessions.get(sid); // RACE
    if (!session) return false;
    await this.persist(sid);
    this.sessions.set(sid, { ...session, lastSeen: now, hits: session.hits + 1 }); // RACE
    return true;
  }

  logout(sid) {
    this.sessions.delete(sid); // RACE
  }

  isActive(sid) {
    return this.sessions.has(sid);
  }

  async persist(sid) {
    this.tableWrites++;
    await sleep(30); // UPDATE sessions SET last_seen = ... WHERE sid = ?
    return sid;
  }
}

module.exports = { SessionStore };
