// expect: none
// why: every 'data' handler is synchronous: it reads and writes the per-status count in one event, so
// why: chunks from the two log streams and the Transform interleave only between whole updates.
'use strict';
const { Readable, Transform } = require('node:stream');

const byStatus = new Map();

function parseLines() {
  let rest = '';
  return new Transform({
    readableObjectMode: true,
    transform(chunk, _enc, callback) {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop();
      for (const line of lines) if (line) this.push(line.split(' ')[1]);
      callback();
    },
    flush(callback) {
      if (rest) this.push(rest.split(' ')[1]);
      callback();
    },
  });
}

function tally(source) {
  const statuses = source.pipe(parseLines());
  statuses.on('data', (status) => {
    byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  });
  return new Promise((resolve) => statuses.on('end', resolve));
}

const edge1 = Readable.from(['GET 200\nGET 404\nPO', 'ST 200\n', 'GET 500\n']);
const edge2 = Readable.from(['GET 200\n', 'GET 200\nGET 404']);

Promise.all([tally(edge1), tally(edge2)]).then(() => {
  const summary = [...byStatus.entries()].sort().map(([s, n]) => `${s}:${n}`).join(' ');
  console.log(`status counts from 2 edges: ${summary}`);
});
