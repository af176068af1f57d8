#!/usr/bin/env node
/**
 * Long differential-fuzzing campaign (the generator and the comparison of
 * test/robustness, loaded through tsx):
 *
 *   node scripts/fuzz.mjs --runs 5000 [--seed N] [--out DIR] [--esm 0.33]
 *                         [--chunk 50] [--units 6] [--node PATH] [--keep-going] [--strict]
 *
 * Programs are generated in chunks of --chunk, chunk i from seed N+i,
 * alternating CommonJS and ES modules (--esm: the share of ESM chunks), so
 * the same --seed and --runs replay the same programs. The first difference
 * between a plain and an instrumented run is shrunk, printed with its seed and
 * fast-check path, and saved under --out (default: a directory in the OS temp
 * dir); the exit code is then 1 (--keep-going: go on, and count them).
 * The known differences of test/robustness/known-differences.ts (none today) would be accepted
 * and counted; --strict reports them like any other.
 * Needs `npm run build` first: the instrumented runs use dist/register.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { parseArgs } from 'node:util';
import { register } from 'tsx/cjs/api';

// The repository is CommonJS: its .ts modules load through tsx's require hook.
register();
const { runCampaign, describeFailure } = createRequire(import.meta.url)('../test/robustness/campaign.ts');

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '1000' },
    seed: { type: 'string' },
    out: { type: 'string' },
    esm: { type: 'string', default: '0.33' },
    chunk: { type: 'string', default: '50' },
    units: { type: 'string', default: '6' },
    node: { type: 'string' },
    'keep-going': { type: 'boolean', default: false },
    strict: { type: 'boolean', default: false },
  },
});

const int = (name) => {
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`fuzz: --${name} needs a positive integer, got ${values[name]}`);
    process.exit(2);
  }
  return n;
};
const runs = int('runs');
const chunk = int('chunk');
const maxUnits = int('units');
const seed = values.seed === undefined ? Date.now() % 2 ** 31 : Number(values.seed);
const esmShare = Number(values.esm);
const out = path.resolve(values.out ?? fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-fuzz-')));
fs.mkdirSync(out, { recursive: true });

console.log(`fuzz: ${runs} programs from seed ${seed}, chunks of ${chunk}, output in ${out}`);
const started = Date.now();
let ran = 0;
let units = 0;
let failures = 0;
const known = {};
for (let i = 0; ran < runs; i++) {
  const numRuns = Math.min(chunk, runs - ran);
  // Spread ESM chunks evenly: chunk i is ESM when the running share falls behind.
  const esm = Math.floor((i + 1) * esmShare) > Math.floor(i * esmShare);
  const chunkSeed = seed + i;
  const t0 = Date.now();
  const result = await runCampaign({ esm, seed: chunkSeed, numRuns, maxUnits, node: values.node, dir: out, strict: values.strict });
  ran += numRuns;
  units += result.units;
  for (const [id, n] of Object.entries(result.known)) known[id] = (known[id] ?? 0) + n;
  const secs = ((Date.now() - t0) / 1000).toFixed(1);
  console.log(`[${ran}/${runs}] ${esm ? 'esm' : 'cjs'} seed ${chunkSeed}: ${result.failure ? 'DIFFERENCE' : 'ok'} (${numRuns} programs, ${result.units} units, ${secs}s)`);
  if (result.failure) {
    failures++;
    const report = describeFailure(result.failure, esm);
    const saved = path.join(out, `failure-${esm ? 'esm' : 'cjs'}-${chunkSeed}.txt`);
    fs.writeFileSync(saved, report + '\n');
    console.log(`\n${report}\nsaved: ${saved} (program: ${result.failure.file})\n`);
    if (!values['keep-going']) break;
  }
}
const mins = ((Date.now() - started) / 60000).toFixed(1);
console.log(`fuzz: ${ran} programs (${units} units) in ${mins} min, ${failures} failing chunk(s)`);
if (Object.keys(known).length) console.log(`known differences accepted (programs): ${JSON.stringify(known)}`);
process.exitCode = failures ? 1 : 0;
