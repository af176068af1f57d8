// expect: race
// why: the limiter reads the client's count, awaits the audit log, then writes count + 1; concurrent
// why: requests from one client all read the same count, so the limit of 2 lets three requests through.
import http from 'node:http';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';

const LIMIT = 2;
const hits = new Map();

async function auditLog(client, path) {
  await sleep(60); // append to the audit table
  return `${client} ${path}`;
}

const server = http.createServer(async (req, res) => {
  const client = req.headers['x-api-key'];
  const used = hits.get(client) ?? 0; // RACE
  if (used >= LIMIT) {
    res.statusCode = 429;
    return res.end('rate limited');
  }
  await auditLog(client, req.url);
  hits.set(client, used + 1); // RACE
  res.end('ok');
});

server.listen(0, '127.0.0.1');
await once(server, 'listening');
const { port } = server.address();

function call(path) {
  return new Promise((resolve, reject) => {
    const headers = { 'x-api-key': 'key-123' };
    http.get({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    }).on('error', reject);
  });
}

const statuses = await Promise.all([call('/report/1'), call('/report/2'), call('/report/3')]);
const allowed = statuses.filter((s) => s === 200).length;
console.log(`allowed ${allowed} of 3 requests (limit ${LIMIT}); counter says ${hits.get('key-123')}`);
server.close();
