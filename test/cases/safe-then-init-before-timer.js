// expect: none
// why: the then-reaction that registers the 'primary' pool and the timer that uses it are both queued by
// why: the same event; Node drains promise reactions before any timer runs, so the read always sees it.
'use strict';
const fs = require('node:fs');

const pools = new Map();

function openPool(url) {
  return { url, size: 4, query: (sql) => `${sql} via ${url}` };
}

function bootstrap(configText) {
  const config = JSON.parse(configText);
  Promise.resolve(config.databaseUrl).then((url) => {
    pools.set('primary', openPool(url));
  });
  setTimeout(() => {
    const result = pools.get('primary').query('SELECT 1');
    console.log(`health check: ${result}`);
  }, 0);
}

fs.readFile(__filename, 'utf8', (err, source) => {
  if (err) throw err;
  bootstrap(JSON.stringify({ databaseUrl: 'postgres://127.0.0.1:5432/app', sourceLines: source.split('\n').length }));
});
