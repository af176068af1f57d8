#!/usr/bin/env node
/**
 * What Node's hooks cost with nothing in them: runs a workload (default
 * await-heavy) plain and with empty hooks of each kind asyncrace installs
 * (bench/empty-hooks.cjs), alternating, and prints the median time ratios.
 * asyncrace cannot be cheaper than the row "both" on the same Node.
 *
 *   node bench/floor.mjs [--rounds N] [--quick] [workload file]
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
let rounds = 5;
let quick = false;
let file = path.join(BENCH, 'workloads', 'await-heavy.mjs');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--rounds') rounds = Number(args[++i]);
  else if (args[i] === '--quick') quick = true;
  else if (args[i].startsWith('--')) {
    process.stderr.write(`floor: unknown flag ${args[i]}\nusage: node bench/floor.mjs [--rounds N] [--quick] [workload file]\n`);
    process.exit(2);
  } else file = path.resolve(args[i]);
}
if (!(rounds >= 1)) {
  process.stderr.write('floor: --rounds takes a number >= 1\n');
  process.exit(2);
}

const KINDS = ['promise', 'async', 'both'];

function run(hooks) {
  const env = { ...process.env, BENCH_SIZE: quick ? 'quick' : 'full' };
  delete env.NODE_OPTIONS;
  const argv = hooks ? ['--require', path.join(BENCH, 'empty-hooks.cjs'), file] : [file];
  if (hooks) env.BENCH_HOOKS = hooks;
  const r = spawnSync(process.execPath, argv, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${hooks ?? 'plain'} run failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()).ms;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const times = { plain: [], promise: [], async: [], both: [] };
for (let i = 0; i < rounds; i++) {
  times.plain.push(run(null));
  for (const k of KINDS) times[k].push(run(k));
}
const plain = median(times.plain);
process.stdout.write(`${path.basename(file)} on Node ${process.versions.node}, ${rounds} rounds: plain ${plain.toFixed(0)} ms\n`);
for (const k of KINDS) {
  const m = median(times[k]);
  process.stdout.write(`  empty ${k.padEnd(7)} hooks: ${m.toFixed(0).padStart(6)} ms  ${(m / plain).toFixed(2)}x\n`);
}
