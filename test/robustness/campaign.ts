/**
 * A fuzzing campaign: fast-check generates programs from a seed, a pool of
 * child processes runs each plain and instrumented, and the first program
 * whose runs differ is replayed by fast-check from its path and shrunk to a
 * minimal counterexample, which is saved to a file. Used by fuzz.test.ts
 * (a small fixed budget) and scripts/fuzz.mjs (long campaigns).
 */
import fc from 'fast-check';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { differences, runPair } from './differential';
import { KNOWN, type KnownDifference } from './known-differences';
import { GENERATED_MARK } from './gen/prelude';
import { programArb, render, type GenProgram } from './program-gen';

export interface CampaignOptions {
  esm: boolean;
  seed: number;
  numRuns: number;
  /** Units per program at most (more units: fewer processes for the same code). */
  maxUnits?: number;
  node?: string;
  /** Where programs are written and a counterexample is kept (default: a new directory under the OS temp dir). */
  dir?: string;
  /** Time allowed for shrinking a failure, in ms (the smallest failing program found by then is reported). */
  shrinkMs?: number;
  /** Accept none of the known differences (known-differences.ts): report them like any other. */
  strict?: boolean;
}

export interface Failure {
  seed: number;
  /** fast-check's path of the shrunk counterexample: `fc.check(prop, { seed, path })` replays it. */
  path: string;
  /** The shrunk program's file (kept on disk) and text. */
  file: string;
  source: string;
  problems: string[];
}

export interface CampaignResult {
  programs: number;
  units: number;
  /** How many programs showed each known difference (accepted). */
  known: Record<string, number>;
  failure?: Failure;
}

interface Checked {
  file: string;
  source: string;
  problems: string[];
  /** Known differences accepted (known-differences.ts). */
  known: string[];
  /** The plain run never reached the first unit: the program itself is broken (a generator bug). */
  invalid: boolean;
}

/** Writes a program to `dir` and returns the differences between its two runs. */
async function check(p: GenProgram, dir: string, name: string, node: string, known: KnownDifference[]): Promise<Checked> {
  const source = render(p);
  const file = path.join(dir, `${name}.${p.esm ? 'mjs' : 'js'}`);
  fs.writeFileSync(file, source);
  const pair = await runPair(file, node);
  const { problems, known: accepted } = differences(file, pair, known);
  // A broken program must show, not pass.
  const invalid = !/^# "u0"$/m.test(pair.plain.stdout);
  if (invalid) problems.push(`the plain run never reached unit u0 (generator bug?):\n${pair.plain.stderr.slice(0, 2000)}`);
  return { file, source, problems, known: accepted, invalid };
}

export async function runCampaign(opts: CampaignOptions): Promise<CampaignResult> {
  const node = opts.node ?? process.execPath;
  const known = opts.strict ? [] : KNOWN;
  const ownDir = opts.dir === undefined;
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-fuzz-'));
  fs.mkdirSync(dir, { recursive: true });
  const arb = programArb({ esm: opts.esm, maxUnits: opts.maxUnits });
  const tag = `${opts.esm ? 'esm' : 'cjs'}-${opts.seed}`;
  let probe = 0;
  let skipInvalid = false;
  const prop = fc.asyncProperty(arb, async (p) => {
    const r = await check(p, dir, `${tag}-shrink-${probe++}`, node, known);
    fs.rmSync(r.file, { force: true });
    // Shrinking a difference must not wander off to a program that doesn't even run.
    fc.pre(!(skipInvalid && r.invalid));
    if (r.problems.length) throw new Error(r.problems.join('\n\n'));
  });

  // Generation is cheap, running is not: the programs run in parallel, and only a failure goes back to fast-check.
  const programs = fc.sample(prop, { seed: opts.seed, numRuns: opts.numRuns }).map(([p]) => p);
  let firstBad = -1;
  const results = await Promise.all(
    programs.map(async (p, i) => {
      const r = await check(p, dir, `${tag}-${i}`, node, known);
      if (r.problems.length && (firstBad < 0 || i < firstBad)) firstBad = i;
      if (!r.problems.length) fs.rmSync(r.file, { force: true });
      return r;
    }),
  );
  const units = programs.reduce((n, p) => n + p.units.length + p.inline.length, 0);
  const seen: Record<string, number> = {};
  for (const r of results) for (const id of r.known) seen[id] = (seen[id] ?? 0) + 1;
  if (firstBad < 0) {
    if (ownDir) fs.rmSync(dir, { recursive: true, force: true });
    return { programs: programs.length, units, known: seen };
  }

  skipInvalid = !results[firstBad]!.invalid;
  const out = await fc.check(prop, { seed: opts.seed, path: String(firstBad), numRuns: opts.numRuns, endOnFailure: false, interruptAfterTimeLimit: opts.shrinkMs ?? 120_000 });
  const shrunk = (out.counterexample?.[0] as GenProgram | undefined) ?? programs[firstBad]!;
  const final = await check(shrunk, dir, `${tag}-counterexample`, node, known);
  const first = results[firstBad]!;
  // Shrinking can land on a flaky difference that doesn't repeat: then the original failure is reported.
  const chosen = final.problems.length ? final : first;
  return {
    programs: programs.length,
    units,
    known: seen,
    failure: { seed: opts.seed, path: out.counterexamplePath ?? String(firstBad), file: chosen.file, source: chosen.source, problems: chosen.problems },
  };
}

/** A failure as a message: how to replay it, the differences, and the program. */
export function describeFailure(f: Failure, esm: boolean): string {
  return [
    `plain and instrumented runs differ (${esm ? 'ESM' : 'CommonJS'}, seed ${f.seed}, path "${f.path}")`,
    `program: ${f.file}`,
    '',
    ...f.problems,
    '',
    `--- program (from its generated part; the whole file is ${f.file}) ---`,
    f.source.slice(Math.max(0, f.source.indexOf(GENERATED_MARK))),
  ].join('\n');
}
