// expect: none
// why: each gzip callback records its own file under a distinct key and bumps the totals with get and
// why: set in the same callback; the report is printed after Promise.all has joined every callback.
'use strict';
const zlib = require('node:zlib');

const compressed = new Map();
const totals = new Map([['in', 0], ['out', 0]]);

function gzipAsset(name, body) {
  return new Promise((resolve, reject) => {
    zlib.gzip(body, (err, out) => {
      if (err) return reject(err);
      compressed.set(name, out);
      totals.set('in', totals.get('in') + body.length);
      totals.set('out', totals.get('out') + out.length);
      resolve(name);
    });
  });
}

const assets = {
  'app.js': Buffer.from('export const answer = 42;\n'.repeat(400)),
  'app.css': Buffer.from('body { margin: 0 }\n'.repeat(300)),
  'index.html': Buffer.from('<!doctype html><main></main>\n'.repeat(100)),
};

Promise.all(Object.entries(assets).map(([name, body]) => gzipAsset(name, body))).then((names) => {
  const ratio = (totals.get('out') / totals.get('in')).toFixed(3);
  console.log(`gzipped ${names.length} assets (${compressed.size} cached), in ${totals.get('in')} bytes, ratio ${ratio}`);
});
