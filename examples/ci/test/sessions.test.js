import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SessionStore } from '../src/sessions.js';

function backend() {
  const lookups = [];
  return {
    lookups,
    async lookup(token) {
      lookups.push(token);
      await new Promise((resolve) => setImmediate(resolve)); // network round trip
      return { token, user: `user of ${token}` };
    },
  };
}

test('get: one request', async () => {
  const db = backend();
  const store = new SessionStore(db.lookup);
  assert.deepEqual(await store.get('t1'), { token: 't1', user: 'user of t1' });
  assert.deepEqual(await store.get('t1'), { token: 't1', user: 'user of t1' });
  assert.deepEqual(db.lookups, ['t1']);
});

test('get: two requests at once', async () => {
  const store = new SessionStore(backend().lookup);
  const [a, b] = await Promise.all([store.get('t1'), store.get('t1')]);
  // Both requests see the right session, so this passes; the race (two
  // lookups, two objects) is only found when the suite runs under asyncrace.
  assert.deepEqual(a, b);
});

test('getShared: two requests at once', async () => {
  const db = backend();
  const store = new SessionStore(db.lookup);
  const [a, b] = await Promise.all([store.getShared('t1'), store.getShared('t1')]);
  assert.equal(a, b);
  assert.deepEqual(db.lookups, ['t1']);
});
