/**
 * Detection end to end: racy programs, instrumented as they load, report the
 * race and exit 66; a race-free one runs as it does alone.
 */
import { describe, expect, it } from 'vitest';
import { ENTRIES, NODES, REGISTER_URL, fixture, run } from './helpers';

const RACE = 'WARNING: ASYNC RACE';

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    it.each(['race/stampede.cjs', 'race/stampede.mjs'])('reports the race in %s and exits 66', (file) => {
      const res = run(node, [...entry.args, fixture(file)]);
      expect(res.stdout).toBe('users 2\n');
      expect(res.stderr).toContain(RACE);
      expect(res.stderr).toContain('stampede.');
      expect(res.status).toBe(66);
    });

    it('runs a race-free program as it runs alone', () => {
      const res = run(node, [...entry.args, fixture('race/sequential.cjs')]);
      expect(res).toEqual({ status: 0, stdout: 'same true\n', stderr: '' });
    });
  });

  it.each([
    ['--import tsx --import asyncrace', ['--import', 'tsx', '--import', REGISTER_URL]],
    ['--import asyncrace --import tsx', ['--import', REGISTER_URL, '--import', 'tsx']],
  ])('reports the race in a TypeScript program under %s', (_name, args) => {
    const res = run(node, [...args, fixture('race/stampede.mts')]);
    expect(res.stdout).toBe('users 2\n');
    expect(res.stderr).toContain(RACE);
    expect(res.stderr).toContain('stampede.mts');
    expect(res.status).toBe(66);
  });
});
