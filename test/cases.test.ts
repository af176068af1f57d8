// The project's own labelled cases (test/cases, the shared corpus format), each run through the real CLI
// and held against its label: racy ones found at their marked lines, race-free ones clean.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listCases, runCase } from './labelled-cases';

const cases = listCases(path.join(__dirname, 'cases'));

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
