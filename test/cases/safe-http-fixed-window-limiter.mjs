// expect: none
// why: each handler checks and bumps the client's window count with get and set in one event before it
// why: awaits; query parameters go into a per-request Map, so concurrent requests share only the counter.
import http from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const LIMIT = 2;
const windowCounts = new Map();

const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://127.0.0.1');
  const params = new Map(url.searchParams);
  const client = req.headers['x-api-key'];
  const used = windowCounts.get(client) ?? 0;
  if (used >= LIMIT) {
    res.statusCode = 429;
    return res.end('rate limited');
  }
  windowCounts.set(client, used + 1);
  await sleep(20); // build the report
  res.end(`report ${params.get('id')} for ${client}`);
});

server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

function call(id) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-api-key': 'key-123' };
    http.get({ host: '127.0.0.1', port, path: `/report?id=${id}`, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

const statuses = await Promise.all([call(1), call(2), call(3)]);
console.log(`statuses: ${statuses.sort().join(',')} (limit ${LIMIT})`);
server.close();
