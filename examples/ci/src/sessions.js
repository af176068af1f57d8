// A session store in front of a slow session backend (a database, Redis...).
export class SessionStore {
  constructor(lookup) {
    this.lookup = lookup;
    this.sessions = new Map();
    this.pending = new Map();
  }

  // Racy: check, await, then act. Two requests with the same token both miss,
  // both look the session up, and the second write replaces the first one's
  // object, so whatever the first request stored in its session is lost.
  async get(token) {
    if (!this.sessions.has(token)) {
      const session = await this.lookup(token);
      this.sessions.set(token, session);
    }
    return this.sessions.get(token);
  }

  // Fixed: the first caller stores the lookup's promise in the same synchronous
  // step as the check (get-or-create); every later caller awaits that promise.
  getShared(token) {
    let session = this.pending.get(token);
    if (!session) {
      session = this.lookup(token);
      this.pending.set(token, session);
    }
    return session;
  }
}
