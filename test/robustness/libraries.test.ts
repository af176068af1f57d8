/**
 * Real npm libraries, unchanged, run with their own files instrumented
 * through `include`, together with a workload of their documented usage
 * (fixtures/libraries/). Each workload prints a transcript of every call's
 * result; the instrumented run must print the same transcript and stderr
 * and exit with the same code as the plain run, which also means that no
 * race is reported where the usage is sequential or documented as safe.
 *
 * The packages are asyncrace's devDependencies, but asyncrace never
 * instruments its own package's node_modules, whatever `include` says (they
 * hold its own dependencies: src/instrument/filter.ts), so they are copied,
 * byte for byte, into a temporary app's node_modules with the fixtures.
 *
 * That the library really was instrumented is read from the run itself: the
 * workload writes the `toString()` of some library functions to the file
 * named by LIBRARY_PROBE. Plain, that text is in the package's files on disk;
 * instrumented, it is not, and it calls the runtime.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..', '..');
const REGISTER = path.join(ROOT, 'dist', 'register', 'register.js');
const FIXTURES = path.join(__dirname, 'fixtures', 'libraries');
if (!fs.existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);

interface Workload {
  /** The package under test. */
  library: string;
  /** The fixture run (its extension says CommonJS or ES module). */
  entry: string;
  /** Packages instrumented besides the workload: the library and the helpers it ships with. */
  include: string[];
  /** The fixture that defines the probed `workload` function. */
  source: string;
  /** Library functions the workload probes (the `workload` probe is always there). */
  probes: string[];
}

const WORKLOADS: Workload[] = [
  { library: 'lru-cache', entry: 'lru-cache.cjs', include: ['lru-cache'], source: 'lru-cache-workload.cjs', probes: ['LRUCache.prototype.get', 'LRUCache.prototype.fetch'] },
  { library: 'lru-cache', entry: 'lru-cache.mjs', include: ['lru-cache'], source: 'lru-cache-workload.cjs', probes: ['LRUCache.prototype.get', 'LRUCache.prototype.fetch'] },
  { library: 'quick-lru', entry: 'quick-lru.mjs', include: ['quick-lru'], source: 'quick-lru.mjs', probes: ['QuickLRU.prototype.get', 'QuickLRU.prototype.set'] },
  { library: 'p-queue', entry: 'p-queue.mjs', include: ['p-queue', 'eventemitter3', 'p-timeout'], source: 'p-queue.mjs', probes: ['PQueue.prototype.onIdle', 'PQueue.prototype.sizeBy'] },
  { library: 'dataloader', entry: 'dataloader.cjs', include: ['dataloader'], source: 'dataloader.cjs', probes: ['DataLoader.prototype.load'] },
  { library: 'keyv', entry: 'keyv.mjs', include: ['keyv', '@keyv/serialize'], source: 'keyv.mjs', probes: ['Keyv.prototype.get', 'Keyv.prototype.set'] },
];

let app: string;

/** A package and the packages it depends on, as npm installed them (flat). */
function withDependencies(pkg: string, out: Set<string>): Set<string> {
  if (out.has(pkg)) return out;
  out.add(pkg);
  const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(manifest.dependencies ?? {})) withDependencies(dep, out);
  return out;
}

beforeAll(() => {
  app = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-libraries-'));
  const packages = new Set<string>();
  for (const w of WORKLOADS) for (const pkg of w.include) withDependencies(pkg, packages);
  for (const pkg of packages) fs.cpSync(path.join(ROOT, 'node_modules', pkg), path.join(app, 'node_modules', pkg), { recursive: true });
  fs.cpSync(FIXTURES, app, { recursive: true });
});

afterAll(() => {
  if (app) fs.rmSync(app, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  /** What the workload wrote to LIBRARY_PROBE: function name to `toString()`. */
  probe: Record<string, string>;
}

let probes = 0;

function exec(args: string[], env: Record<string, string>): Promise<Omit<Run, 'probe'>> {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const key of ['ASYNCRACE_OPTIONS', 'ASYNCRACE_REPORT_DIR', 'NODE_OPTIONS', 'NODE_V8_COVERAGE', 'LIBRARY_PROBE']) delete base[key];
  return new Promise((resolve, reject) => {
    execFile(process.execPath, args, { cwd: app, env: { ...base, ...env }, encoding: 'utf8', timeout: 60_000 }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') reject(err);
      else resolve({ code: err ? (err.code as number) : 0, stdout, stderr });
    });
  });
}

/**
 * Runs `entry mode` plain or under asyncrace. `instrument` lists the packages
 * whose files are instrumented, besides the fixtures at the app's top level.
 */
async function runWorkload(w: Workload, mode: string, instrument: string[] | null): Promise<Run> {
  const probeFile = path.join(app, `probe-${++probes}.json`);
  const env: Record<string, string> = { LIBRARY_PROBE: probeFile };
  const args = [path.join(app, w.entry), mode];
  if (instrument) {
    env.ASYNCRACE_OPTIONS = `include=${[...instrument.map((pkg) => `**/node_modules/${pkg}/**`), '*.cjs', '*.mjs'].join(',')}`;
    args.unshift(...(w.entry.endsWith('.mjs') ? ['--import', pathToFileURL(REGISTER).href] : ['--require', REGISTER]));
  }
  const out = await exec(args, env);
  const probe = fs.existsSync(probeFile) ? (JSON.parse(fs.readFileSync(probeFile, 'utf8')) as Record<string, string>) : {};
  return { ...out, probe };
}

// The plain and the instrumented run of each (workload, mode), shared by the tests that read them.
const runs = new Map<string, Promise<[plain: Run, instrumented: Run]>>();
function pair(w: Workload, mode: string): Promise<[Run, Run]> {
  const key = `${w.entry} ${mode}`;
  let p = runs.get(key);
  if (!p) {
    p = Promise.all([runWorkload(w, mode, null), runWorkload(w, mode, w.include)]);
    runs.set(key, p);
  }
  return p;
}

/** The text of every .js, .cjs and .mjs file under `dir`. */
function sources(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.[cm]?js$/.test(entry.name)) out.push(fs.readFileSync(path.join(entry.parentPath, entry.name), 'utf8'));
  }
  return out;
}

/** A plain run that completed: exit 0, nothing on stderr, the last line printed. */
function expectClean(run: Run): void {
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  expect(run.stdout).toMatch(/\ndone\n$/);
}

/** The instrumented run printed what the plain one did, to the byte, and reported nothing. */
function expectSame(plain: Run, instrumented: Run): void {
  expectClean(plain);
  expect(instrumented.stderr).not.toContain('WARNING: ASYNC RACE');
  expect(instrumented.stdout).toBe(plain.stdout);
  expect(instrumented.stderr).toBe(plain.stderr);
  expect(instrumented.code).toBe(plain.code);
}

const versionOf = (pkg: string): string =>
  (JSON.parse(fs.readFileSync(path.join(ROOT, 'node_modules', pkg, 'package.json'), 'utf8')) as { version: string }).version;

const workload = (entry: string): Workload => WORKLOADS.find((w) => w.entry === entry)!;

describe.concurrent.each(WORKLOADS.map((w) => ({ ...w, name: `${w.library} ${versionOf(w.library)} (${w.entry})` })))('$name', (w) => {
  it('is instrumented, library and workload', async () => {
    const [plain, instrumented] = await pair(w, 'sequential');
    const library = sources(path.join(app, 'node_modules', w.library));
    const fixture = fs.readFileSync(path.join(app, w.source), 'utf8');
    for (const name of [...w.probes, 'workload']) {
      const files = name === 'workload' ? [fixture] : library;
      const before = plain.probe[name];
      const after = instrumented.probe[name];
      // Plain, the function is the text on disk: the probe reads the right function.
      expect(before, name).toBeTypeOf('string');
      expect(files.some((text) => text.includes(before!)), `${name} plain is on disk`).toBe(true);
      // Instrumented, its body starts by entering the runtime's shadow stack, and it is nowhere on disk.
      expect(after, name).toMatch(/\{var _arc = [^;]*\.push\(_arS \+ \d+\)/);
      expect(files.some((text) => text.includes(after!)), `${name} instrumented is not on disk`).toBe(false);
    }
  });

  it('sequential: same transcript, stderr and exit code as the plain run, no race', async () => {
    const [plain, instrumented] = await pair(w, 'sequential');
    expectSame(plain, instrumented);
  });

  // quick-lru's documented-safe concurrent use is a known false positive (below).
  it('concurrent, documented as safe: same transcript, no race', async () => {
    const [plain, instrumented] = await pair(w, 'concurrent');
    expectSame(plain, instrumented);
  });
});

// A cache class whose get() and set() each read the key (has, then has again
// before the write) makes one get-or-create in one event: not a race.
describe.concurrent('get-or-create through a cache class', () => {
  it('lru-cache: tasks sharing promises through get / set in one step are not reported', async () => {
    const [plain, instrumented] = await pair(workload('lru-cache.cjs'), 'memo');
    expectSame(plain, instrumented);
  });
});

// p-queue is modelled as a lock: the model must not add a reaction to a
// task's promise, or V8 drops `at async run (p-queue/...)` from the stack of
// an error the task throws (it follows async frames through a promise with
// one reaction only).
describe.concurrent('async stacks through the lock model', () => {
  it('p-queue: the stack of an error thrown by a task has the same frames', async () => {
    const [plain, instrumented] = await pair(workload('p-queue.mjs'), 'stack');
    expect(plain.stdout).toMatch(/^ {4}at async run \(file:.*\/node_modules\/p-queue\/dist\/index\.js:\d+\)$/m);
    expectSame(plain, instrumented);
  });
});

describe.concurrent('races are still found', () => {
  it('lru-cache: a check-then-act around an await, seen inside the library only', async () => {
    const w = workload('lru-cache.cjs');
    const [plain, instrumented] = await pair(w, 'racy');
    expectClean(plain);
    expect(instrumented.stdout).toBe(plain.stdout);
    expect(instrumented.code).toBe(66);
    expect(instrumented.stderr).toContain('WARNING: ASYNC RACE (atomicity violation)');
    expect(instrumented.stderr).toMatch(/^ {4}at \S+ \(node_modules\/lru-cache\//m);
    // With only the workload instrumented, its accesses are calls on an LRUCache, not a Map: nothing to see.
    const workloadOnly = await runWorkload(w, 'racy', []);
    expectSame(plain, workloadOnly);
  });

  it('p-queue: a check-then-act on a Map by tasks of a queue of concurrency 3', async () => {
    const [plain, instrumented] = await pair(workload('p-queue.mjs'), 'racy');
    expectClean(plain);
    expect(instrumented.stdout).toBe(plain.stdout);
    expect(instrumented.code).toBe(66);
    const src = fs.readFileSync(path.join(FIXTURES, 'p-queue.mjs'), 'utf8').split('\n');
    // Each access's first frame, the line after its heading, is the workload's get or set.
    const lines = instrumented.stderr.split('\n');
    const sites = lines.flatMap((line, i) => (/ of key "acct" /.test(line) ? [lines[i + 1]!] : []));
    expect(sites.length).toBeGreaterThan(0);
    for (const frame of sites) expect(src[Number(/p-queue\.mjs:(\d+):\d+/.exec(frame)?.[1]) - 1]).toMatch(/accounts\.(get|set)\('acct'/);
  });
});
