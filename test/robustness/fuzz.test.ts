/**
 * Differential fuzzing: generated programs over Map/Set/WeakMap/WeakSet (see
 * program-gen.ts) must run the same plain and instrumented: same stdout, same
 * exit code, same stderr apart from race reports (differential.ts says what
 * else is normalised). A fixed seed and budget keep the run deterministic and
 * short; scripts/fuzz.mjs runs long campaigns with the same generator
 * (fuzzing.md: the files, how to replay a failure, the known differences).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { describeFailure, runCampaign } from './campaign';
import { differences, REGISTER, ROOT, runPair, withoutReports, type Outcome } from './differential';
import { KNOWN } from './known-differences';

const SEED = 424242;
/** Programs per module kind: each has up to 6 units (about 4 on average): some 200 snippets in all, about 30 s on Node 20. */
const BUDGET = { cjs: 36, esm: 18 };

if (!fs.existsSync(REGISTER)) throw new Error(`${REGISTER} is missing: run npm run build first`);

describe('differential fuzzing: plain vs instrumented', () => {
  for (const [kind, numRuns] of Object.entries(BUDGET)) {
    const esm = kind === 'esm';
    it(`${numRuns} generated ${esm ? 'ES module' : 'CommonJS'} programs (seed ${SEED})`, async () => {
      const result = await runCampaign({ esm, seed: SEED, numRuns, shrinkMs: 90_000 });
      if (result.failure) expect.fail(describeFailure(result.failure, esm));
      expect(result.programs).toBe(numRuns);
      // Known differences (known-differences.ts; none today) would be accepted, and counted here.
      console.log(`${kind}: ${result.programs} programs, ${result.units} units; known differences seen: ${JSON.stringify(result.known)}`);
    }, 300_000);
  }
});

describe('the comparison itself', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-fuzz-self-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, code: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, code);
    return file;
  };

  it('ignores race reports, and sees any change to stdout, the exit code or stderr', async () => {
    const file = write('racy.js', "const m = new Map();\nasync function a() { const v = m.get(1); await null; m.set(1, (v ?? 0) + 1); }\nPromise.all([a(), a()]).then(() => console.log(m.get(1)));\n");
    const pair = await runPair(file);
    expect(pair.instrumented.stderr).toContain('WARNING: ASYNC RACE');
    expect(withoutReports(pair.instrumented.stderr)).toBe('');
    expect(differences(file, pair).problems).toEqual([]);
    const mutated = (change: Partial<Outcome>): string[] => differences(file, { ...pair, instrumented: { ...pair.instrumented, ...change } }).problems;
    expect(mutated({ stdout: '2\n' })[0]).toMatch(/^stdout differs/);
    expect(mutated({ code: 66 })[0]).toMatch(/^exit: plain 0, instrumented 66/);
    expect(mutated({ stderr: pair.instrumented.stderr + 'asyncrace: internal error\n' })[0]).toMatch(/^stderr/);
  });

  it("accepts no known difference: a runtime frame or a location line naming asyncrace's file is a difference", async () => {
    expect(KNOWN).toEqual([]);
    const file = write('weak-key.js', "const wm = new WeakMap();\nfunction put(k) {\n  wm.set(k, 1);\n}\nput(1);\n");
    const pair = await runPair(file);
    expect(pair.plain.code).toBe(1);
    expect(pair.plain.stderr).toContain('Invalid value used as weak map key');
    expect(differences(file, pair).problems).toEqual([]);
    const runtime = path.join(ROOT, 'dist', 'runtime', 'collections.js');
    const framed = pair.instrumented.stderr.replace('    at put (', `    at run (${runtime}:235:15)\n    at put (`);
    expect(framed).not.toBe(pair.instrumented.stderr);
    expect(differences(file, { ...pair, instrumented: { ...pair.instrumented, stderr: framed } }).problems[0]).toMatch(/^stderr/);
    const located = pair.instrumented.stderr.replace(`${file}:3`, `${runtime}:235`);
    expect(located).not.toBe(pair.instrumented.stderr);
    expect(differences(file, { ...pair, instrumented: { ...pair.instrumented, stderr: located } }).problems[0]).toMatch(/^stderr/);
  });

  it('compares an uncaught error: message, frames and their lines, not columns or the source excerpt', async () => {
    const file = write('crash.js', "function inner(m) {\n  return m.get(1).run();\n}\nsetImmediate(function outer() { inner(new Map([[1, {}]])); });\n");
    const pair = await runPair(file);
    expect(pair.plain.code).toBe(1);
    expect(pair.plain.stderr).toContain('m.get(...).run is not a function');
    expect(differences(file, pair).problems).toEqual([]);
    // Another line in a frame of the program is a difference; so is another message.
    const moved = pair.instrumented.stderr.replace(`${file}:2:`, `${file}:3:`);
    expect(moved).not.toBe(pair.instrumented.stderr);
    expect(differences(file, { ...pair, instrumented: { ...pair.instrumented, stderr: moved } }).problems[0]).toMatch(/^stderr/);
    const renamed = pair.instrumented.stderr.replace('m.get(...).run', 'm.get.run');
    expect(differences(file, { ...pair, instrumented: { ...pair.instrumented, stderr: renamed } }).problems[0]).toMatch(/^stderr/);
  });
});
