/**
 * Differential semantics suite: every fixture runs twice, plain and instrumented
 * (through the register hook), and the two runs must be indistinguishable apart from
 * asyncrace's own report lines.
 *
 * - fixtures/*.js   CommonJS, instrumented with `--require dist/register/register.js`
 * - fixtures/*.mjs  ESM, instrumented with `--import <file URL of register.js>`
 * - fixtures/*.ts, *.mts, *.tsx  run with `--import tsx`; instrumented twice, with the hook
 *   registered after tsx and before it.
 * - fixtures/crash/*   end with an uncaught error or process.exit: exit code, stdout and
 *   the stderr message/location lines (columns dropped) must match.
 * - fixtures/syntax/*  fail to compile: same error message line, same `file:line`
 *   location line, same exit code.
 *
 * A fixture may declare its expected plain exit code with a `// @exit N` comment
 * (default 0); a plain run that differs means the fixture itself is broken. A
 * `// @source-maps` comment adds a variant where both runs use --enable-source-maps.
 * Each fixture must actually be instrumented (checked with dist/instrument's
 * `instrument()`), or a pass would prove nothing; `// @uninstrumentable` exempts one.
 *
 * Set ASYNCRACE_TEST_NODES to other Node binaries (separated by ':') to also run each fixture
 * once under each (.ci/run instead runs the whole suite on every supported line).
 * Set ASYNCRACE_TEST_REGISTER to another hook file (a no-op file checks the fixtures).
 * Set ASYNCRACE_TEST_ALL_VARIANTS=1 to run every CommonJS fixture through --import too.
 */
import { createRequire } from 'node:module';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { beforeAll, describe, it } from 'vitest';
import { childEnv, childPool, type ChildResult } from '../support/child-pool';
import { NODES, THIS_NODE, type NodeBinary } from '../support/nodes';
import { prewarm } from '../support/prewarm';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const FIXTURES = path.join(HERE, 'fixtures');
// ASYNCRACE_TEST_REGISTER overrides the hook (a no-op file checks the fixtures themselves).
const REGISTER = process.env.ASYNCRACE_TEST_REGISTER || path.join(ROOT, 'dist', 'register', 'register.js');
const REGISTER_URL = pathToFileURL(REGISTER).href;
const NODE = THIS_NODE.path;
/** The binaries of ASYNCRACE_TEST_NODES. */
const OTHER_NODES = NODES.slice(1);
const ALL_VARIANTS = process.env.ASYNCRACE_TEST_ALL_VARIANTS === '1';
const TIMEOUT_MS = 30_000;
const POOL = Math.max(2, Math.min(6, (os.availableParallelism?.() ?? os.cpus().length) + 1));

type Kind = 'js' | 'mjs' | 'ts';
type Group = 'run' | 'crash' | 'syntax';
type Variant = 'require' | 'import' | 'hook-after-tsx' | 'hook-before-tsx' | 'require+source-maps' | 'import+source-maps';

interface Fixture {
  name: string; // path relative to fixtures/
  file: string;
  kind: Kind;
  group: Group;
  expectedExit: number | undefined;
  /** `// @source-maps`: also run both sides with --enable-source-maps. */
  sourceMaps: boolean;
  /** `// @uninstrumentable`: the transform may legitimately leave this file alone. */
  uninstrumentable: boolean;
  /** `// @import-too`: a CommonJS fixture also run with the hook loaded by --import. */
  importToo: boolean;
  text: string;
}

type Result = ChildResult;

// ---------------------------------------------------------------------------------
// Fixture discovery

function kindOf(file: string): Kind | undefined {
  if (file.endsWith('.mjs')) return 'mjs';
  if (file.endsWith('.js') || file.endsWith('.cjs')) return 'js';
  if (file.endsWith('.ts') || file.endsWith('.mts') || file.endsWith('.tsx')) return 'ts';
  return undefined;
}

function listFixtures(dir: string, group: Group, kindOverride?: Kind): Fixture[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => kindOf(f) !== undefined)
    .sort()
    .map((f) => {
      const file = path.join(dir, f);
      const text = readFileSync(file, 'utf8');
      const exitMark = /\/\/ @exit (\d+)/.exec(text);
      return {
        name: path.relative(FIXTURES, file),
        file,
        kind: kindOverride ?? kindOf(f)!,
        group,
        expectedExit: exitMark ? Number(exitMark[1]) : group === 'run' ? 0 : undefined,
        sourceMaps: /\/\/ @source-maps\b/.test(text),
        uninstrumentable: /\/\/ @uninstrumentable\b/.test(text),
        importToo: /\/\/ @import-too\b/.test(text),
        text,
      };
    });
}

const fixtures: Fixture[] = [
  ...listFixtures(FIXTURES, 'run'),
  // .js files of a "type": "module" package are ES modules.
  ...listFixtures(path.join(FIXTURES, 'type-module'), 'run', 'mjs'),
  ...listFixtures(path.join(FIXTURES, 'crash'), 'crash'),
  ...listFixtures(path.join(FIXTURES, 'syntax'), 'syntax'),
];

function variantsOf(f: Fixture): Variant[] {
  // CommonJS also through `--import` (the ESM entry of the hook must cover require() too),
  // for the whole set when ASYNCRACE_TEST_ALL_VARIANTS=1 (slower), else for `// @import-too` fixtures.
  if (f.kind === 'js') {
    const v: Variant[] = ['require'];
    if (ALL_VARIANTS || f.importToo) v.push('import');
    if (f.sourceMaps) v.push('require+source-maps');
    return v;
  }
  if (f.kind === 'mjs') return f.sourceMaps ? ['import', 'import+source-maps'] : ['import'];
  return ['hook-after-tsx', 'hook-before-tsx'];
}

/** An empty module: `--import` alone changes how Node runs a CommonJS main (see plainArgs). */
const NOOP_IMPORT = 'data:text/javascript,';

function plainArgs(f: Fixture, v: Variant): string[] {
  if (f.kind === 'ts') return ['--import', 'tsx', f.file];
  // With any --import, Node 20 runs a CommonJS main through the ESM loader: nextTick vs
  // microtask order at start-up and the uncaught-exception print-out change. That is
  // Node's doing, not the hook's, so the baseline of CommonJS-through---import loads an
  // empty module the same way.
  if (f.kind === 'js' && v === 'import') return ['--import', NOOP_IMPORT, f.file];
  return v.endsWith('+source-maps') ? ['--enable-source-maps', f.file] : [f.file];
}

function instrumentedArgs(f: Fixture, v: Variant): string[] {
  switch (v) {
    case 'require':
      return ['--require', REGISTER, f.file];
    case 'import':
      return ['--import', REGISTER_URL, f.file];
    case 'hook-after-tsx':
      return ['--import', 'tsx', '--import', REGISTER_URL, f.file];
    case 'hook-before-tsx':
      return ['--import', REGISTER_URL, '--import', 'tsx', f.file];
    case 'require+source-maps':
      return ['--enable-source-maps', '--require', REGISTER, f.file];
    case 'import+source-maps':
      return ['--enable-source-maps', '--import', REGISTER_URL, f.file];
  }
}

// ---------------------------------------------------------------------------------
// Running: a small pool of async spawns, plain runs shared between variants.

const ENV = childEnv();
const pool = childPool(POOL);

function runNode(node: string, args: string[]): Promise<Result> {
  return pool.run(node, args, { cwd: ROOT, env: ENV, timeoutMs: TIMEOUT_MS });
}

const memo = new Map<string, Promise<Result>>();
function run(node: string, args: string[]): Promise<Result> {
  const key = JSON.stringify([node, args]);
  let p = memo.get(key);
  if (!p) {
    p = runNode(node, args);
    memo.set(key, p);
  }
  return p;
}

// ---------------------------------------------------------------------------------
// Comparison helpers

const BAR = /^={10,}\s*$/;

/** Splits asyncrace's report (the `==================` blocks and `asyncrace: found` lines) off stderr. */
function splitReport(stderr: string): { rest: string; report: string } {
  const rest: string[] = [];
  const report: string[] = [];
  let inBlock = false;
  for (const line of stderr.split('\n')) {
    if (BAR.test(line)) {
      report.push(line);
      inBlock = !inBlock;
      continue;
    }
    if (inBlock || line.startsWith('asyncrace: found')) report.push(line);
    else rest.push(line);
  }
  return { rest: rest.join('\n'), report: report.join('\n') };
}

/** Warnings carry the process id: `(node:1234) ExperimentalWarning: ...`. */
function normalisePid(s: string): string {
  return s.replace(/\(node:\d+\)/g, '(node:PID)');
}

/** Line diff (LCS) of plain vs instrumented output: every changed line, with its line number. */
function firstDifference(label: string, expected: string, actual: string): string | undefined {
  if (expected === actual) return undefined;
  const a = expected.split('\n');
  const b = actual.split('\n');
  // Trim the common prefix and suffix, then LCS the middle (outputs are a few hundred lines).
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const x = a.slice(pre, a.length - suf);
  const y = b.slice(pre, b.length - suf);
  const out: string[] = [];
  if (x.length * y.length > 4_000_000) {
    for (const l of x) out.push(`- ${l}`);
    for (const l of y) out.push(`+ ${l}`);
  } else {
    const n = x.length;
    const m = y.length;
    const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) lcs[i]![j] = x[i] === y[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && x[i] === y[j]) {
        i++;
        j++;
      } else if (i < n && (j === m || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) {
        out.push(`- ${String(pre + i + 1).padStart(4)} | ${x[i]}`);
        i++;
      } else {
        out.push(`+ ${String(pre + j + 1).padStart(4)} | ${y[j]}`);
        j++;
      }
    }
  }
  const shown = out.length > 80 ? [...out.slice(0, 80), `... ${out.length - 80} more changed lines`] : out;
  return `${label} differs (plain ${a.length} lines, instrumented ${b.length} lines; - plain, + instrumented):\n${shown.join('\n')}`;
}

function clip(s: string, n = 4000): string {
  return s.length > n ? s.slice(0, n) + `\n... (${s.length - n} more characters)` : s;
}

function describeRun(label: string, r: Result): string {
  return (
    `${label}: exit ${r.code}${r.signal ? ` signal ${r.signal}` : ''}${r.timedOut ? ' TIMED OUT' : ''} (${r.ms} ms)\n` +
    `  stderr:\n${clip(r.stderr)
      .split('\n')
      .map((l) => '    ' + l)
      .join('\n')}`
  );
}

/** Location line `path:LINE` (columns dropped) of an error print-out, and its message line. */
function errorShape(stderr: string, f: Fixture): { location: string; message: string; excerpt: string } {
  const lines = stderr.split('\n');
  const base = path.basename(f.file).replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const loc = new RegExp(`(\\S*${base}):(\\d+)(?::\\d+)?`);
  const li = lines.findIndex((l) => loc.test(l) && !/^\s+at /.test(l));
  const location = li >= 0 ? lines[li]!.replace(new RegExp(loc.source, 'g'), '$1:$2') : '(no location line)';
  const excerpt = li >= 0 ? `${lines[li + 1] ?? ''}\n${lines[li + 2] ?? ''}` : '';
  const message =
    lines.find((l) => /^[A-Za-z]*(Error|Exception)\b( \[\w+\])?:/.test(l)) ??
    lines.find((l) => /^\S.*Error\b/.test(l)) ??
    '(no message line)';
  return { location, message, excerpt };
}

/** Stderr of a crashing run with frames outside the fixture removed and columns dropped. */
function crashStderr(stderr: string, f: Fixture): string {
  const base = path.basename(f.file);
  const lines = stderr.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (/^\s+at /.test(l) && !l.includes(base)) continue;
    out.push(l.replace(/(:\d+):\d+/g, '$1'));
  }
  // The source excerpt and caret under the location line are compared separately.
  const li = out.findIndex((l) => l.includes(base) && !/^\s+at /.test(l));
  if (li >= 0 && /^\s*\^+\s*$/.test(out[li + 2] ?? '')) out.splice(li + 1, 2);
  return normalisePid(out.join('\n'));
}

// ---------------------------------------------------------------------------------
// Accepted differences: what Node itself does differently once a process has async
// hooks enabled or a module has a source map. Each is narrow, says why, and is
// listed in README.md; everything else must be identical.

const nodeOf = (node: string): NodeBinary => NODES.find((n) => n.path === node)!;

interface Known {
  why: string;
  applies(c: Case): boolean;
  /** Rewrites output (stdout or stderr) where Node's difference shows: of the instrumented run, or of both runs. */
  rewrite(text: string, stream: 'stdout' | 'stderr'): string;
  both?: boolean;
}

const KNOWN: Known[] = [
  {
    why: 'Node before 24 stamps two async-id symbols on every promise once an async_hooks init hook is enabled (24+ is told not to: trackPromises)',
    applies: (c) => c.fixture.name === 'inspect-promises.js' && !nodeOf(c.node).untracksPromises,
    rewrite: (text) =>
      text
        .replace(/,\n\s*\[Symbol\(async_id_symbol\)\]: \d+,\n\s*\[Symbol\(trigger_async_id_symbol\)\]: \d+\n\}/g, ' }')
        .replace(/,\\n\s*\[Symbol\(async_id_symbol\)\]: \d+,\\n\s*\[Symbol\(trigger_async_id_symbol\)\]: \d+\\n\}/g, ' }')
        .replace(/\{\\n\s*/g, '{ ')
        .replace(/Promise \{\n\s+/g, 'Promise { ')
        .replace(/^(own (?:symbols|keys) of promises -> )\[([ \d,]+)\]$/gm, (_m, head: string, list: string) => `${head}[${list.replace(/\d+/g, '0')}]`),
  },
  {
    why: "the report at exit is one 'exit' listener",
    applies: (c) => c.fixture.name === 'environment.js',
    rewrite: (text) => text.replace(/'exit:(\d+)'/, (_m, n: string) => `'exit:${Number(n) - 1}'`),
  },
  {
    why: "with async hooks enabled, Node's callbackTrampoline calls the live Function.prototype.apply",
    applies: (c) => c.fixture.name === 'patched-protos.js',
    rewrite: (text) => text.replace(/^(after setImmediate) \[\["Function\.apply",\d+\]\]$/m, '$1 []'),
  },
  {
    why: 'Node formats a source-mapped stack itself: unnamed frames as <anonymous>, names from the map, paths without file://',
    applies: (c) => c.variant.endsWith('+source-maps') || c.fixture.kind === 'ts',
    both: true,
    rewrite: (text) =>
      text
        .replace(/[\w$<>]+@(\d+) < Object\.<anon(?:ymous)?>@/g, '<anon>@$1 < Object.<anon>@')
        .replace(/(?:async )?<anonymous>@/g, '<anon>@')
        .replace(/file:\/\//g, ''),
  },
  {
    why: "Node 20 prints the excerpt of a source-mapped error with one more blank line after the caret (22+ does not)",
    applies: (c) => c.variant.endsWith('+source-maps') && c.fixture.group === 'crash' && nodeOf(c.node).major < 22,
    rewrite: (text) => text.replace(/^([ \t]*\^+[ \t]*)\n\n/m, '$1\n'),
  },
];

function knownFor(c: Case): Known[] {
  return KNOWN.filter((k) => k.applies(c));
}

/** One side's output with the accepted differences of `c` written out of it. */
function accepted(c: Case, text: string, stream: 'stdout' | 'stderr', side: 'plain' | 'instrumented'): string {
  return knownFor(c).reduce((t, k) => (side === 'instrumented' || k.both ? k.rewrite(t, stream) : t), text);
}

// ---------------------------------------------------------------------------------
// Cases

interface Case {
  title: string;
  fixture: Fixture;
  node: string;
  variant: Variant;
}

function casesFor(f: Fixture, node: string, tag: string): Case[] {
  const variants = variantsOf(f);
  const chosen = node === NODE ? variants : variants.slice(0, 1);
  return chosen.map((variant) => ({ title: `${f.name} [${variant}${tag}]`, fixture: f, node, variant }));
}

function start(c: Case): Promise<[Result, Result]> {
  return Promise.all([run(c.node, plainArgs(c.fixture, c.variant)), run(c.node, instrumentedArgs(c.fixture, c.variant))]);
}

function checkPlainSanity(c: Case, plain: Result): string[] {
  const problems: string[] = [];
  if (plain.timedOut) problems.push(`fixture broken: plain run timed out\n${describeRun('plain', plain)}`);
  if (c.fixture.expectedExit !== undefined && plain.code !== c.fixture.expectedExit)
    problems.push(`fixture broken: plain run exited ${plain.code}, expected ${c.fixture.expectedExit}\n${describeRun('plain', plain)}`);
  return problems;
}

function compare(c: Case, plain: Result, instr: Result): string[] {
  const problems = checkPlainSanity(c, plain);
  const { rest, report } = splitReport(instr.stderr);
  if (report.trim()) problems.push(`asyncrace reported a race in a race-free fixture:\n${clip(report)}`);
  if (instr.timedOut) problems.push('instrumented run timed out');
  if (plain.code !== instr.code || plain.signal !== instr.signal)
    problems.push(`exit code: plain ${plain.code}${plain.signal ?? ''}, instrumented ${instr.code}${instr.signal ?? ''}\n${describeRun('instrumented', instr)}`);
  const group = c.fixture.group;
  if (group === 'syntax') {
    const a = errorShape(plain.stderr, c.fixture);
    const b = errorShape(rest, c.fixture);
    if (a.message !== b.message) problems.push(`error message line:\n  plain:        ${a.message}\n  instrumented: ${b.message}`);
    if (a.location !== b.location) problems.push(`location line:\n  plain:        ${a.location}\n  instrumented: ${b.location}`);
    const d = firstDifference('stdout', plain.stdout, instr.stdout);
    if (d) problems.push(d);
    return problems;
  }
  const d1 = firstDifference('stdout', accepted(c, plain.stdout, 'stdout', 'plain'), accepted(c, instr.stdout, 'stdout', 'instrumented'));
  if (d1) problems.push(d1);
  if (group === 'crash') {
    const d2 = firstDifference(
      'stderr (normalised: own frames only, no columns)',
      crashStderr(accepted(c, plain.stderr, 'stderr', 'plain'), c.fixture),
      crashStderr(accepted(c, rest, 'stderr', 'instrumented'), c.fixture),
    );
    if (d2) problems.push(d2);
  } else {
    const d2 = firstDifference('stderr', normalisePid(accepted(c, plain.stderr, 'stderr', 'plain')), normalisePid(accepted(c, rest, 'stderr', 'instrumented')));
    if (d2) problems.push(d2);
  }
  return problems;
}

const registerMissing = () =>
  existsSync(REGISTER) ? undefined : `${path.relative(ROOT, REGISTER)} does not exist: build first (npx tsc -p tsconfig.build.json)`;

const mainCases = fixtures.flatMap((f) => casesFor(f, NODE, ''));
const otherCases = OTHER_NODES.map((node) => ({ node, cases: fixtures.flatMap((f) => casesFor(f, node.path, ` ${node.name}`)) }));
const pending = new Map<Case, Promise<[Result, Result]>>();

function results(c: Case): Promise<[Result, Result]> {
  let p = pending.get(c);
  if (!p) {
    p = start(c);
    pending.set(c, p);
  }
  return p;
}

async function check(c: Case): Promise<void> {
  const missing = registerMissing();
  if (missing) throw new Error(missing);
  const [plain, instr] = await results(c);
  const problems = compare(c, plain, instr);
  if (problems.length) throw new Error(defang(`${c.title}\n\n${problems.join('\n\n')}`));
}

/**
 * Child stack frames quoted in a failure message must not look like frames of this
 * test (vitest would try to source-map them).
 */
function defang(message: string): string {
  return message.replace(/^(\s*)at /gm, '$1\u00b7 at ');
}

/** Every JavaScript file under fixtures/ (the fixtures and what they load). */
function javaScriptFiles(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => /\.(c|m)?js$/.test(f))
    .map((f) => path.join(dir, f))
    .sort();
}

beforeAll(() => {
  if (registerMissing()) return;
  // The children start from the transform cache, as on a second run (test/support/prewarm.ts).
  if (!process.env.ASYNCRACE_TEST_REGISTER) for (const node of NODES) prewarm(node.path, javaScriptFiles(FIXTURES));
  // Start every run now so that the pool works in parallel while tests report in order.
  for (const c of mainCases) void results(c);
  for (const { cases } of otherCases) for (const c of cases) void results(c);
});

describe('semantics: plain vs instrumented', () => {
  it('has fixtures', () => {
    if (fixtures.filter((f) => f.group === 'run').length < 30) throw new Error(`only ${fixtures.length} fixtures found in ${FIXTURES}`);
  });
  for (const c of mainCases.filter((x) => x.fixture.group === 'run')) it(c.title, () => check(c));
});

// A fixture the transform refuses (parse failure, ...) runs uninstrumented: its pass would be vacuous.
type InstrumentFn = (code: string, filename: string) => { code: string } | null | undefined;
function loadInstrument(): InstrumentFn | string {
  const file = path.join(ROOT, 'dist', 'instrument', 'index.js');
  if (!existsSync(file)) return `${path.relative(ROOT, file)} not built`;
  try {
    const mod = createRequire(import.meta.url)(file) as { instrument?: unknown };
    return typeof mod.instrument === 'function' ? (mod.instrument as InstrumentFn) : 'dist/instrument has no instrument() export';
  } catch (e) {
    return `cannot load dist/instrument: ${(e as Error).message}`;
  }
}

describe('semantics: every fixture is instrumented', () => {
  for (const f of fixtures.filter((x) => x.group !== 'syntax' && !x.uninstrumentable)) {
    it(f.name, () => {
      const instrument = loadInstrument();
      if (typeof instrument === 'string') throw new Error(instrument);
      const out = instrument(f.text, f.file);
      if (!out || typeof out.code !== 'string') throw new Error(`${f.name}: instrument() left the file alone, so its semantics test proves nothing`);
    });
  }
});

describe('semantics: crashing programs', () => {
  for (const c of mainCases.filter((x) => x.fixture.group === 'crash')) {
    it(c.title, () => check(c));
    // Without a source map Node prints the line it ran, which is the instrumented line
    // (README: limitations); with one, it prints the original line and must point at the same place.
    if (c.variant.endsWith('+source-maps')) it(`${c.title} source excerpt`, async () => {
      if (registerMissing()) throw new Error(registerMissing());
      const [plain, instr] = await results(c);
      const a = errorShape(plain.stderr, c.fixture).excerpt;
      const b = errorShape(splitReport(instr.stderr).rest, c.fixture).excerpt;
      if (a !== b) throw new Error(defang(`source excerpt under the location line differs:\n--- plain\n${a}\n+++ instrumented\n${b}`));
    });
  }
});

describe('semantics: syntax errors', () => {
  for (const c of mainCases.filter((x) => x.fixture.group === 'syntax')) it(c.title, () => check(c));
});

for (const { node, cases } of otherCases) {
  describe(`semantics: ${node.name} (ASYNCRACE_TEST_NODES)`, () => {
    for (const c of cases) it(c.title, () => check(c));
  });
}
