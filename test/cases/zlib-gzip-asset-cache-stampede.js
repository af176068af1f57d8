// expect: race
// why: two requests for app.js both miss gzCache before either gzip callback has run, so the asset is
// why: compressed twice and the second callback overwrites the first buffer (callback-style stampede).
'use strict';
const zlib = require('node:zlib');

const assets = new Map([['app.js', Buffer.from('console.log("hello from the bundle");\n'.repeat(500))]]);
const gzCache = new Map();
let compressions = 0;

function serveGzipped(name, callback) {
  if (gzCache.has(name)) { // RACE
    return process.nextTick(callback, null, gzCache.get(name));
  }
  compressions++;
  zlib.gzip(assets.get(name), (err, compressed) => {
    if (err) return callback(err);
    gzCache.set(name, compressed); // RACE
    callback(null, compressed);
  });
}

let pending = 2;
function respond(err, body) {
  if (err) throw err;
  if (--pending === 0) {
    console.log(`served ${body.length} gzipped bytes; compressions: ${compressions} (expected 1)`);
  }
}

// Two browser tabs request the bundle in the same tick after a deploy.
serveGzipped('app.js', respond);
serveGzipped('app.js', respond);
