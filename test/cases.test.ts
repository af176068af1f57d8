// The project's own labelled cases (test/cases, the shared corpus format), each run through the real CLI
// and held against its label: racy ones found at their marked lines, race-free ones clean.
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { listCases, runCase } from './labelled-cases';
import { prewarm } from './support/prewarm';

const DIR = path.join(__dirname, 'cases');
const cases = listCases(DIR);

// The cases start from the transform cache, as on a second run (support/prewarm.ts).
beforeAll(() => {
  const files = (fs.readdirSync(DIR, { recursive: true }) as string[]).filter((f) => /\.(c|m)?js$/.test(f)).map((f) => path.join(DIR, f));
  prewarm(process.execPath, files);
});

describe.concurrent('labelled cases (test/cases)', () => {
  it('has cases of both labels', () => {
    expect(cases.length).toBeGreaterThan(30);
    expect(cases.some((c) => c.name.startsWith('safe-'))).toBe(true);
    expect(cases.some((c) => !c.name.startsWith('safe-'))).toBe(true);
  });

  it.each(cases.map((c) => [c.name, c] as const))('%s', async (_name, kase) => {
    const result = await runCase(kase);
    expect(result.failure, result.stderr.split('\n').slice(-40).join('\n')).toBe('');
  });
});
