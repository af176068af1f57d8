#!/usr/bin/env node
/**
 * The asyncrace benchmark suite: runs each workload in bench/workloads/ plain
 * (`node workload`) and under asyncrace (`node --require dist/register/register.js
 * workload`), alternating, each run in a fresh process, and prints a table of
 * medians, ratios and PASS/MISS against each workload's target. See
 * bench/README.md.
 *
 *   node bench/run.mjs [--rounds N] [--only name[,name]] [--quick] [--json FILE] [--timeout SECONDS] [--register FILE]
 *
 * Exit code 0 whatever the numbers (benchmarks are not tests); 2 for a bad
 * command line or a missing build (dist/).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const BENCH = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(BENCH, '..');
let REGISTER = path.join(REPO, 'dist', 'register', 'register.js'); // --register to compare another build
const WORKLOADS_DIR = path.join(BENCH, 'workloads');
const GENERATED = path.join(BENCH, '.generated');
const require = createRequire(import.meta.url);

/**
 * The working directory of every run: a scratch directory with an empty
 * node_modules/, so that asyncrace's default transform cache (`cache_dir=auto`:
 * <cwd>/node_modules/.cache/asyncrace) is the runner's own, not the
 * repository's, and is removed at the end. Set in main().
 */
let SCRATCH = null;

/** Peak RSS target for every workload (asyncrace / plain). */
const RSS_TARGET = 1.5;

/**
 * The workloads. `target`: the time ratio to meet (null: printed, no target).
 * `flags`: node flags for both runs. `flat`: the largest RSS growth (after GC)
 * allowed between the 50% and 100% samples of the instrumented run.
 */
const WORKLOADS = [
  { name: 'map-heavy', file: 'map-heavy.cjs', target: 2.0 },
  { name: 'await-heavy', file: 'await-heavy.mjs', target: 1.5 },
  { name: 'http-service', file: 'http-service.cjs', target: 1.3 },
  {
    name: 'many-tasks',
    file: 'many-tasks.cjs',
    target: null,
    // --expose-gc: samples are taken after a full GC. A fixed young generation
    // (16 MB semi-spaces, V8's default maximum): otherwise V8 grows it part way
    // through the run and RSS takes a step that is not the program's memory.
    flags: ['--expose-gc', '--min-semi-space-size=16', '--max-semi-space-size=16'],
    flat: 0.1,
  },
  // Whole-process wall time, measured here; two rows: cold and warm.
  { name: 'startup', startup: true, target: 1.1 },
];

// --- command line ------------------------------------------------------------

function usage(message) {
  if (message) process.stderr.write(`bench: ${message}\n`);
  process.stderr.write(
    'usage: node bench/run.mjs [--rounds N] [--only name[,name]] [--quick] [--json FILE] [--timeout SECONDS] [--register FILE]\n' +
      `workloads: ${WORKLOADS.map((w) => w.name).join(', ')}\n`,
  );
  process.exit(message ? 2 : 0);
}

function parseArgs(argv) {
  const args = { rounds: 5, only: null, quick: false, json: null, timeout: 600 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = () => {
      if (inline !== undefined) return inline;
      if (i + 1 >= argv.length) usage(`${flag} needs a value`);
      return argv[++i];
    };
    switch (flag) {
      case '--rounds': {
        const n = Number(value());
        if (!Number.isInteger(n) || n < 1) usage('--rounds needs an integer >= 1');
        args.rounds = n;
        break;
      }
      case '--timeout': {
        const n = Number(value());
        if (!(n > 0)) usage('--timeout needs a number of seconds > 0');
        args.timeout = n;
        break;
      }
      case '--only': {
        const names = value().split(',').map((s) => s.trim()).filter(Boolean);
        const unknown = names.filter((n) => !WORKLOADS.some((w) => w.name === n));
        if (unknown.length || !names.length) usage(`unknown workload ${unknown.join(', ') || '(none given)'}`);
        args.only = names;
        break;
      }
      case '--quick':
        args.quick = true;
        break;
      case '--json':
        args.json = path.resolve(value());
        break;
      case '--register':
        REGISTER = path.resolve(value());
        break;
      case '--help':
      case '-h':
        usage();
        break;
      default:
        usage(`unknown argument ${a}`);
    }
  }
  return args;
}

// --- running one process -------------------------------------------------------

/** The environment of every run: the caller's, without anything that would change Node or asyncrace. */
function cleanEnv(extra) {
  const env = { ...process.env };
  for (const k of Object.keys(env)) {
    if (k === 'NODE_OPTIONS' || k === 'NODE_V8_COVERAGE' || k === 'ASYNCRACE' || k.startsWith('ASYNCRACE_')) delete env[k];
  }
  return { ...env, ...extra };
}

/** The last line of stdout that parses as a JSON object, or null. */
function lastJson(stdout) {
  const lines = stdout.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].trim();
    if (!line.startsWith('{')) continue;
    try {
      return JSON.parse(line);
    } catch {
      // not ours
    }
  }
  return null;
}

function tail(text, lines = 12) {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Runs `node [flags] [--require register] file` in a fresh process. Returns
 * `{ ok, wallMs, out, error }`: `out` is the workload's JSON line; `error`
 * says why a run does not count (crash, timeout, a race reported, a file not
 * instrumented when it should be or the reverse).
 */
function runOnce({ file, flags = [], instrumented, env, timeoutMs, loadOnly = false }) {
  const argv = [...flags, ...(instrumented ? ['--require', REGISTER] : []), file];
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, {
    cwd: SCRATCH,
    env,
    encoding: 'utf8',
    timeout: timeoutMs,
    killSignal: 'SIGKILL',
    maxBuffer: 256 * 1024 * 1024,
  });
  const wallMs = performance.now() - t0;
  const stderr = r.stderr || '';
  let error = null;
  if (r.error && r.error.code === 'ETIMEDOUT') error = `timed out after ${Math.round(timeoutMs / 1000)} s`;
  else if (r.error) error = `could not run: ${r.error.message}`;
  else if (/heap out of memory|Allocation failed/.test(stderr)) error = 'out of memory (V8 heap limit)';
  else if (r.signal) error = `killed by ${r.signal}`;
  else if (r.status === 66 || /asyncrace: found \d+ race/.test(stderr)) error = 'asyncrace reported a race (a workload bug or a false positive)';
  else if (r.status !== 0) error = `exit code ${r.status}`;
  if (loadOnly) return { ok: !error, wallMs, out: null, error, stderr: error ? tail(stderr) : '' };
  const out = lastJson(r.stdout || '');
  if (!error && !out) error = 'no JSON result line on stdout';
  if (!error && typeof out.instrumented === 'boolean' && out.instrumented !== instrumented) {
    error = instrumented ? 'the workload file was not instrumented' : 'the plain run was instrumented (NODE_OPTIONS?)';
  }
  if (!error && !(out.maxRSS > 0)) error = 'no maxRSS in the result line';
  return { ok: !error, wallMs, out, error, stderr: error ? tail(stderr) : '' };
}

// --- statistics and formatting -----------------------------------------------------

function median(xs) {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return NaN;
  const m = v.length >> 1;
  return v.length % 2 ? v[m] : (v[m - 1] + v[m]) / 2;
}

function fmtMs(ms) {
  if (!Number.isFinite(ms)) return '-';
  if (ms >= 10000) return `${(ms / 1000).toFixed(1)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  return `${ms.toFixed(1)} ms`;
}
const fmtMB = (kb) => (Number.isFinite(kb) ? `${(kb / 1024).toFixed(kb < 10240 ? 1 : 0)} MB` : '-');
const fmtX = (x) => (Number.isFinite(x) ? `${x.toFixed(2)}x` : '-');
const fmtPct = (x) => (Number.isFinite(x) ? `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%` : '-');

function table(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => String(c).padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

function progress(text) {
  process.stderr.write(`${text}\n`);
}

// --- a row: one workload (or start-up variant) ------------------------------------------

function newRow(name, target, rssTarget) {
  return { name, target, rssTarget, plain: [], instrumented: [], ratios: [], rssRatios: [], error: null, notes: [], skipped: null };
}

/** Records one plain/instrumented pair (ms taken from the workload, or the wall time for start-up). */
function addPair(row, plain, instr, useWall) {
  const ms = (r) => (useWall ? r.wallMs : r.out.ms);
  const p = { ms: ms(plain), maxRSS: plain.out.maxRSS, out: plain.out };
  const i = { ms: ms(instr), maxRSS: instr.out.maxRSS, out: instr.out };
  row.plain.push(p);
  row.instrumented.push(i);
  row.ratios.push(i.ms / p.ms);
  row.rssRatios.push(i.maxRSS / p.maxRSS);
}

function failRow(row, which, run) {
  row.error = `${which} run: ${run.error}`;
  if (run.stderr) row.errorDetail = run.stderr;
}

function summarize(row) {
  const s = {
    plainMs: median(row.plain.map((r) => r.ms)),
    instrumentedMs: median(row.instrumented.map((r) => r.ms)),
    ratio: median(row.ratios),
    plainRSS: median(row.plain.map((r) => r.maxRSS)),
    instrumentedRSS: median(row.instrumented.map((r) => r.maxRSS)),
    rssRatio: median(row.rssRatios),
  };
  const misses = [];
  if (row.target != null && !(s.ratio <= row.target)) misses.push('time');
  if (row.rssTarget != null && !(s.rssRatio <= row.rssTarget)) misses.push('RSS');
  if (row.flat != null) {
    s.growthPlain = median(row.plain.map((r) => r.out.growth50to100));
    s.growthInstrumented = median(row.instrumented.map((r) => r.out.growth50to100));
    if (!(s.growthInstrumented < row.flat)) misses.push('not flat');
  }
  if (row.skipped) s.result = row.skipped;
  else if (row.error && !row.ratios.length) s.result = 'ERROR';
  else if (row.error) s.result = `ERROR (after ${row.ratios.length} round(s))`;
  else if (row.target == null && row.rssTarget == null && row.flat == null) s.result = '(no target)';
  else s.result = misses.length ? `MISS (${misses.join(', ')})` : 'PASS';
  return s;
}

// --- the workloads ---------------------------------------------------------------

function runWorkload(w, args, env, timeoutMs) {
  const row = newRow(w.name, w.target, RSS_TARGET);
  if (w.flat != null) row.flat = w.flat;
  const file = path.join(WORKLOADS_DIR, w.file);
  // Untimed: loads the files once under asyncrace (BENCH_LOAD_ONLY: nothing
  // runs), which fills the default transform cache when the build has one, so
  // every timed instrumented run starts alike (the cost of instrumenting is
  // what the startup workload measures) and the OS has the files cached.
  const warmup = runOnce({ file, flags: w.flags, instrumented: true, env: { ...env, BENCH_LOAD_ONLY: '1' }, timeoutMs, loadOnly: true });
  if (!warmup.ok) {
    failRow(row, 'asyncrace (loading only)', warmup);
    progress(`  ${w.name}: ${row.error}`);
    return [row];
  }
  for (let round = 1; round <= args.rounds; round++) {
    const plain = runOnce({ file, flags: w.flags, instrumented: false, env, timeoutMs });
    if (!plain.ok) {
      failRow(row, 'plain', plain);
      break;
    }
    const instr = runOnce({ file, flags: w.flags, instrumented: true, env, timeoutMs });
    if (!instr.ok) {
      failRow(row, 'asyncrace', instr);
      break;
    }
    addPair(row, plain, instr, false);
    progress(
      `  ${w.name} round ${round}/${args.rounds}: plain ${fmtMs(plain.out.ms)} ${fmtMB(plain.out.maxRSS)}, ` +
        `asyncrace ${fmtMs(instr.out.ms)} ${fmtMB(instr.out.maxRSS)} (${fmtX(instr.out.ms / plain.out.ms)})`,
    );
  }
  if (row.error) progress(`  ${w.name}: ${row.error} (no further rounds)`);
  return [row];
}

/** Whether asyncrace accepts the `cache_dir` option (an unknown option exits 2). */
function probeCache(env) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-bench-probe-'));
  try {
    const r = spawnSync(process.execPath, ['--require', REGISTER, '-e', '0'], {
      cwd: SCRATCH,
      env: { ...env, ASYNCRACE_OPTIONS: `cache_dir=${dir}` },
      encoding: 'utf8',
      timeout: 60000,
    });
    if (r.status === 0) return { available: true };
    const why = (r.stderr || '').trim().split('\n')[0] || `exit code ${r.status}`;
    return { available: false, why };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Whole-process wall times of `node -e 0`, plain and with the register hook. */
function emptyProgram(env) {
  const time = (argv) => {
    const t0 = performance.now();
    spawnSync(process.execPath, argv, { cwd: SCRATCH, env, timeout: 60000 });
    return performance.now() - t0;
  };
  return { plain: time(['-e', '0']), instrumented: time(['--require', REGISTER, '-e', '0']) };
}

function dirIsEmpty(dir) {
  try {
    return fs.readdirSync(dir).length === 0;
  } catch {
    return true;
  }
}

function runStartup(w, args, env, timeoutMs, cache) {
  const bytes = args.quick ? 256 * 1024 : 3 * 1024 * 1024;
  const { generate } = require('./workloads/startup-gen.cjs');
  const file = generate(GENERATED, bytes);
  const sizeNote = `${(fs.statSync(file).size / 1024 / 1024).toFixed(2)} MB generated module (${path.relative(REPO, file)})`;
  const cold = newRow('startup (cold)', null, null);
  const warm = newRow('startup (warm)', w.target, RSS_TARGET);
  cold.notes.push(`${sizeNote}; whole-process wall time, measured by the runner`);

  let warmDir = null;
  if (!cache.available) {
    warm.skipped = 'cache not available';
    warm.notes.push(`warm start: cache not available (${cache.why}); cold runs use no cache option`);
    progress(`  startup: warm start: cache not available (${cache.why})`);
  }

  // Untimed: the file and asyncrace's own code into the OS page cache.
  runOnce({ file, instrumented: false, env, timeoutMs });
  spawnSync(process.execPath, ['--require', REGISTER, '-e', '0'], { cwd: SCRATCH, env, timeout: 60000 });

  if (cache.available) {
    warmDir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-bench-warm-'));
    const fill = runOnce({ file, instrumented: true, env: { ...env, ASYNCRACE_OPTIONS: `cache_dir=${warmDir}` }, timeoutMs });
    if (!fill.ok) failRow(warm, 'cache-filling', fill);
    else if (dirIsEmpty(warmDir)) warm.notes.push('the cache directory was still empty after the filling run: the warm runs may be cold ones');
  }

  const emptyPlain = [];
  const emptyInstr = [];
  try {
    for (let round = 1; round <= args.rounds; round++) {
      const plain = runOnce({ file, instrumented: false, env, timeoutMs });
      if (!plain.ok) {
        failRow(cold, 'plain', plain);
        if (!warm.skipped) failRow(warm, 'plain', plain);
        break;
      }
      const parts = [`plain ${fmtMs(plain.wallMs)}`];
      // The fixed cost: an empty program, plain and under asyncrace.
      const empty = emptyProgram(env);
      emptyPlain.push(empty.plain);
      emptyInstr.push(empty.instrumented);
      if (!cold.error) {
        const coldDir = cache.available ? fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-bench-cold-')) : null;
        const coldEnv = coldDir ? { ...env, ASYNCRACE_OPTIONS: `cache_dir=${coldDir}` } : env;
        const c = runOnce({ file, instrumented: true, env: coldEnv, timeoutMs });
        if (coldDir) fs.rmSync(coldDir, { recursive: true, force: true });
        if (c.ok) {
          addPair(cold, plain, c, true);
          parts.push(`cold ${fmtMs(c.wallMs)} ${fmtMB(c.out.maxRSS)} (${fmtX(c.wallMs / plain.wallMs)})`);
        } else failRow(cold, 'asyncrace (cold)', c);
      }
      if (!warm.skipped && !warm.error) {
        const h = runOnce({ file, instrumented: true, env: { ...env, ASYNCRACE_OPTIONS: `cache_dir=${warmDir}` }, timeoutMs });
        if (h.ok) {
          addPair(warm, plain, h, true);
          parts.push(`warm ${fmtMs(h.wallMs)} ${fmtMB(h.out.maxRSS)} (${fmtX(h.wallMs / plain.wallMs)})`);
        } else failRow(warm, 'asyncrace (warm)', h);
      }
      progress(`  startup round ${round}/${args.rounds}: ${parts.join(', ')}`);
      if (cold.error && (warm.skipped || warm.error)) break;
    }
  } finally {
    if (warmDir) fs.rmSync(warmDir, { recursive: true, force: true });
  }
  if (emptyPlain.length) {
    cold.notes.push(
      `an empty program (node -e 0) takes ${fmtMs(median(emptyPlain))} plain, ` +
        `${fmtMs(median(emptyInstr))} with --require asyncrace/register: the fixed cost in both rows`,
    );
  }
  return [cold, warm];
}

// --- main -------------------------------------------------------------------------

function main() {
  const args = parseArgs(process.argv.slice(2));
  if (!fs.existsSync(REGISTER)) {
    process.stderr.write(`bench: ${path.relative(process.cwd(), REGISTER)} is missing: run \`npm run build\` first\n`);
    process.exit(2);
  }
  const chosen = WORKLOADS.filter((w) => !args.only || args.only.includes(w.name));
  const env = cleanEnv(args.quick ? { BENCH_SIZE: 'quick' } : { BENCH_SIZE: 'full' });
  const timeoutMs = args.timeout * 1000;
  SCRATCH = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-bench-'));
  fs.mkdirSync(path.join(SCRATCH, 'node_modules'));
  const cleanUp = () => fs.rmSync(SCRATCH, { recursive: true, force: true });
  process.on('exit', cleanUp);
  process.on('SIGINT', () => process.exit(130)); // after the current run, which got the SIGINT too
  process.on('SIGTERM', () => process.exit(143));
  const cache = probeCache(env);
  const started = new Date();
  const load = os.loadavg();

  progress(`asyncrace benchmarks: ${chosen.map((w) => w.name).join(', ')}; ${args.rounds} round(s)${args.quick ? ', quick sizes' : ''}`);
  const rows = [];
  for (const w of chosen) {
    progress(`${w.name}:`);
    rows.push(...(w.startup ? runStartup(w, args, env, timeoutMs, cache) : runWorkload(w, args, env, timeoutMs)));
  }

  const summaries = rows.map((row) => ({ row, s: summarize(row) }));
  const cpus = os.cpus();
  const out = [];
  out.push('');
  out.push(`asyncrace benchmarks, ${started.toISOString()}`);
  out.push(`Node ${process.version}, ${os.platform()} ${os.arch()}, ${cpus.length} CPU(s)${cpus[0] ? ` (${cpus[0].model.trim()})` : ''}`);
  out.push(`load average at start: ${load.map((l) => l.toFixed(2)).join(' ')} (measure on an idle machine)`);
  out.push(
    `${args.rounds} round(s), ${args.quick ? 'QUICK sizes (a smoke run: the ratios mean little)' : 'full sizes'}; ` +
      'plain and asyncrace runs alternate, each in a fresh process',
  );
  out.push(
    cache.available
      ? 'transform cache: available; timed runs of the workloads load from a warm cache (startup shows cold and warm)'
      : 'transform cache: not available in this build; every instrumented run transforms its files',
  );
  out.push('');
  out.push(
    table(
      ['workload', 'target', 'plain', 'asyncrace', 'ratio', 'RSS plain', 'RSS asyncrace', `RSS ratio`, 'result'],
      summaries.map(({ row, s }) => [
        row.name,
        row.target != null ? `<= ${row.target}x` : row.flat != null ? 'flat' : '-',
        fmtMs(s.plainMs),
        fmtMs(s.instrumentedMs),
        fmtX(s.ratio),
        fmtMB(s.plainRSS),
        fmtMB(s.instrumentedRSS),
        fmtX(s.rssRatio),
        s.result,
      ]),
    ),
  );
  out.push('');
  out.push('plain / asyncrace: medians over the rounds. ratio: the median of the per-round ratios asyncrace / plain');
  out.push('(time of the measured section; whole-process wall time for startup). RSS: peak resident set size (maxRSS);');
  out.push(`RSS ratio: median of the per-round ratios, target <= ${RSS_TARGET}x for every workload but startup (cold).`);

  const notes = [];
  for (const { row, s } of summaries) {
    for (const n of row.notes) notes.push(`${row.name}: ${n}`);
    if (row.name === 'http-service' && row.plain.length) {
      const rps = (rs) => median(rs.map((r) => r.out.reqPerSec));
      notes.push(
        `http-service: ${row.plain[0].out.requests} requests, concurrency 20: ` +
          `${Math.round(rps(row.plain))} req/s plain, ${Math.round(rps(row.instrumented))} req/s under asyncrace`,
      );
    }
    if (row.name === 'await-heavy' && row.plain.length) {
      notes.push(`await-heavy: ${row.plain[0].out.awaits} awaits over 100 tasks`);
    }
    if (row.flat != null && row.plain.length) {
      const samples = (rs, key) =>
        ['p10', 'p50', 'p100'].map((p) => fmtMB(median(rs.map((r) => r.out.samples?.[p]?.[key])))).join(' / ');
      const hGrowth = (rs) => median(rs.map((r) => (r.out.samples.p100.heapUsed - r.out.samples.p50.heapUsed) / r.out.samples.p50.heapUsed));
      notes.push(
        `many-tasks: ${row.plain[0].out.tasks} tasks; RSS after GC at 10% / 50% / 100% of the run: ` +
          `plain ${samples(row.plain, 'rss')}, asyncrace ${samples(row.instrumented, 'rss')}`,
      );
      notes.push(
        `many-tasks: RSS growth from 50% to 100%: plain ${fmtPct(s.growthPlain)}, asyncrace ${fmtPct(s.growthInstrumented)} ` +
          `(flat: asyncrace < ${fmtPct(row.flat).slice(1)}: ${s.growthInstrumented < row.flat ? 'yes' : 'NO'}); ` +
          `heap used after GC: plain ${samples(row.plain, 'heapUsed')} (${fmtPct(hGrowth(row.plain))}), ` +
          `asyncrace ${samples(row.instrumented, 'heapUsed')} (${fmtPct(hGrowth(row.instrumented))})`,
      );
    }
    if (row.error) {
      notes.push(`${row.name}: ERROR: ${row.error}`);
      if (row.errorDetail) notes.push(row.errorDetail.split('\n').map((l) => `    ${l}`).join('\n'));
    }
  }
  if (notes.length) {
    out.push('');
    out.push('notes:');
    for (const n of notes) out.push(`  ${n}`);
  }
  process.stdout.write(`${out.join('\n')}\n`);

  if (args.json) {
    const result = {
      date: started.toISOString(),
      node: process.version,
      platform: `${os.platform()} ${os.arch()}`,
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? null,
      transformCache: cache.available,
      loadavg: load,
      rounds: args.rounds,
      quick: args.quick,
      ratio: 'median of per-round ratios (asyncrace / plain)',
      rssTarget: RSS_TARGET,
      workloads: summaries.map(({ row, s }) => ({
        name: row.name,
        target: row.target,
        rssTarget: row.rssTarget,
        flatTarget: row.flat ?? null,
        result: s.result,
        error: row.error,
        medians: s,
        rounds: row.plain.map((p, i) => ({
          plain: { ms: p.ms, maxRSS: p.maxRSS, out: p.out },
          asyncrace: { ms: row.instrumented[i].ms, maxRSS: row.instrumented[i].maxRSS, out: row.instrumented[i].out },
          ratio: row.ratios[i],
          rssRatio: row.rssRatios[i],
        })),
        notes: row.notes,
      })),
    };
    fs.mkdirSync(path.dirname(args.json), { recursive: true });
    fs.writeFileSync(args.json, `${JSON.stringify(result, null, 2)}\n`);
    progress(`results written to ${args.json}`);
  }
}

main();
