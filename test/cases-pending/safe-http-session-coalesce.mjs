// expect: none
// why: session loads are coalesced: the in-flight promise is stored in the same event as the miss and
// why: deleted when it settles; concurrent requests join it, and the loaded session is cached in one event.
import http from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const sessions = new Map();
const loading = new Map();
let storeReads = 0;

async function readSessionRow(token) {
  storeReads++;
  await sleep(20); // session table
  return { token, userId: token.slice(4), cart: [] };
}

async function loadSession(token) {
  const cached = sessions.get(token);
  if (cached) return cached;
  const inFlight = loading.get(token);
  if (inFlight) return inFlight;
  const request = readSessionRow(token).then((session) => {
    sessions.set(token, session);
    return session;
  });
  loading.set(token, request);
  try {
    return await request;
  } finally {
    loading.delete(token);
  }
}

const server = http.createServer(async (req, res) => {
  const session = await loadSession(req.headers['x-session']);
  session.cart.push(req.url.split('/').pop());
  res.end(JSON.stringify({ user: session.userId }));
});

server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

function addToCart(item) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-session': 'sid-42' };
    http.get({ host: '127.0.0.1', port, path: `/cart/add/${item}`, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

const statuses = await Promise.all([addToCart('apple'), addToCart('pear'), addToCart('fig')]);
console.log(`statuses ${statuses.join(',')}; session store reads: ${storeReads}`);
server.close();
