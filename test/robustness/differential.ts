/**
 * Runs one program file plain (`node file`) and instrumented (`node --require
 * register.js file`, or `--import` for ESM) in child processes, and lists
 * every observable difference: exit code, stdout, and stderr once asyncrace's
 * race reports are taken out. In stderr only what the README documents as
 * moving is normalised away: columns, the source excerpt under an uncaught
 * error's location line, frames inside Node itself, and the module-loader frame.
 */
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { childEnv, childPool } from '../support/child-pool';
import { KNOWN, type KnownDifference } from './known-differences';

export const ROOT = path.resolve(__dirname, '..', '..');
export const REGISTER = path.join(ROOT, 'dist', 'register', 'register.js');
/** Race reports must not change the exit code; no cache, so every run instruments afresh. */
export const OPTIONS = 'exitcode=0 cache_dir=0';

export interface Outcome {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

export interface Pair {
  plain: Outcome;
  instrumented: Outcome;
}

/** Children at a time: one per core. */
const pool = childPool(Math.max(1, os.availableParallelism?.() ?? os.cpus().length));

export function runNode(node: string, args: string[], env: Record<string, string>, timeoutMs: number): Promise<Outcome> {
  return pool.run(node, args, { cwd: path.dirname(args[args.length - 1]!), env: childEnv(env), timeoutMs });
}

/** Runs `file` both ways with `node` (a .mjs file is an ES module: the hook goes in with --import). */
export async function runPair(file: string, node = process.execPath, timeoutMs = 30_000): Promise<Pair> {
  const hook = file.endsWith('.mjs') ? ['--import', pathToFileURL(REGISTER).href] : ['--require', REGISTER];
  const [plain, instrumented] = await Promise.all([
    runNode(node, [file], {}, timeoutMs),
    runNode(node, [...hook, file], { ASYNCRACE_OPTIONS: OPTIONS }, timeoutMs),
  ]);
  return { plain, instrumented };
}

const BAR = /^={10,}\s*$/;

/** Takes asyncrace's reports (`==================` blocks, `asyncrace: found N race(s)`) out of stderr. */
export function withoutReports(stderr: string): string {
  const rest: string[] = [];
  let inBlock = false;
  for (const line of stderr.split('\n')) {
    if (BAR.test(line)) inBlock = !inBlock;
    else if (!inBlock && !/^asyncrace: found \d+ race\(s\)$/.test(line)) rest.push(line);
  }
  return rest.join('\n');
}

const escape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Stderr with what legitimately moves normalised: columns of positions in the
 * program, the source excerpt and caret under an error's location line (they
 * show the instrumented text), Node's internal frames, the loader frame, pids.
 */
export function normaliseStderr(stderr: string, file: string): string {
  const where = new RegExp(`(${escape(file)}|${escape(pathToFileURL(file).href)}):(\\d+):\\d+`, 'g');
  const lines = stderr.split('\n');
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\s*\^+\s*$/.test(line)) {
      out.pop();
      continue;
    }
    if (/^\s+at /.test(line) && (/\(node:|\bat node:/.test(line) || /Module\.asyncraceCompile/.test(line))) continue;
    out.push(line.replace(where, '$1:$2').replace(/\(node:\d+\)/g, '(node:PID)'));
  }
  return out.join('\n');
}

export interface Comparison {
  /** Each difference between the runs, described; empty when they are indistinguishable. */
  problems: string[];
  /** The known differences (known-differences.ts) that were accepted, by id. */
  known: string[];
}

/** Compares the runs; `known` lists the differences to accept (none: every difference counts). */
export function differences(file: string, { plain, instrumented }: Pair, known: KnownDifference[] = KNOWN): Comparison {
  const problems: string[] = [];
  const seen = new Set<string>();
  if (plain.timedOut || instrumented.timedOut) problems.push(`timed out: plain ${plain.timedOut}, instrumented ${instrumented.timedOut}`);
  if (plain.code !== instrumented.code || plain.signal !== instrumented.signal) {
    problems.push(`exit: plain ${plain.code ?? plain.signal}, instrumented ${instrumented.code ?? instrumented.signal}`);
  }
  const d1 = compareText('stdout', plain.stdout, instrumented.stdout, known, seen);
  if (d1) problems.push(d1);
  let err = normaliseStderr(withoutReports(instrumented.stderr), file);
  for (const k of known) {
    if (!k.drop) continue;
    const kept = err.split('\n').filter((l) => !k.drop!(l));
    if (kept.length !== err.split('\n').length) seen.add(k.id);
    err = kept.join('\n');
  }
  const d2 = compareText('stderr (reports removed, normalised)', normaliseStderr(plain.stderr, file), err, known, seen);
  if (d2) problems.push(d2);
  return { problems, known: [...seen] };
}

/** A difference of two outputs that the known differences don't all account for, line by line; undefined if none. */
function compareText(label: string, a: string, b: string, known: KnownDifference[], seen: Set<string>): string | undefined {
  if (a === b) return undefined;
  const x = a.split('\n');
  const y = b.split('\n');
  if (x.length === y.length) {
    const hits: string[] = [];
    const all = x.every((line, i) => {
      if (line === y[i]) return true;
      const k = known.find((r) => r.pair?.(line, y[i]!, a));
      if (k) hits.push(k.id);
      return !!k;
    });
    if (all) {
      for (const h of hits) seen.add(h);
      return undefined;
    }
  }
  return lineDiff(label, a, b);
}

/** The changed region of two texts: the lines between their common prefix and suffix. */
export function lineDiff(label: string, a: string, b: string): string | undefined {
  if (a === b) return undefined;
  const x = a.split('\n');
  const y = b.split('\n');
  let pre = 0;
  while (pre < x.length && pre < y.length && x[pre] === y[pre]) pre++;
  let suf = 0;
  while (suf < x.length - pre && suf < y.length - pre && x[x.length - 1 - suf] === y[y.length - 1 - suf]) suf++;
  const clip = (ls: string[], sign: string): string[] => {
    const shown = ls.slice(0, 30).map((l, i) => `${sign} ${String(pre + i + 1).padStart(4)} | ${l}`);
    return ls.length > 30 ? [...shown, `${sign} ... ${ls.length - 30} more lines`] : shown;
  };
  return [`${label} differs (- plain, + instrumented):`, ...clip(x.slice(pre, x.length - suf), '-'), ...clip(y.slice(pre, y.length - suf), '+')].join('\n');
}
