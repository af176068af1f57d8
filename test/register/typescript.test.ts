/**
 * TypeScript programs run the same with asyncrace whether tsx loads before or
 * after it, and (where Node strips types itself) with no other loader: each
 * module instrumented once, the output otherwise unchanged.
 */
import { describe, expect, it } from 'vitest';
import { NODES, REGISTER, REGISTER_URL, fixture, lacks, run, splitProbe } from './helpers';

const FILES = ['ts/main.mts', 'ts/main.cts', 'ts/plain.ts'];

const ORDERS = [
  { name: '--import tsx --import asyncrace', args: ['--import', 'tsx', '--import', REGISTER_URL] },
  { name: '--import asyncrace --import tsx', args: ['--import', REGISTER_URL, '--import', 'tsx'] },
  { name: '--require asyncrace --import tsx', args: ['--require', REGISTER, '--import', 'tsx'] },
];

describe.each(NODES)('$name', (node) => {
  describe.each(ORDERS)('$name', (order) => {
    it.each(FILES)('runs %s as tsx alone does, instrumented once', (file) => {
      const plain = run(node, ['--import', 'tsx', fixture(file)]);
      expect(plain.status).toBe(0);
      const res = run(node, [...order.args, fixture(file)]);
      expect(res.status).toBe(0);
      expect(res.stderr).toBe(plain.stderr);
      const ours = splitProbe(res.stdout);
      expect(ours.rest).toBe(splitProbe(plain.stdout).rest);
      expect(ours.probe).toBe(1);
    });
  });

  // Type stripping is on by default from Node 22.18 and 23.6.
  const stripping = "with Node's type stripping";
  describe.skipIf(!node.stripsTypes)(node.stripsTypes ? stripping : `${stripping} (skipped: ${lacks(node, 'type stripping')})`, () => {
    describe.each([
      { name: '--import', args: ['--import', REGISTER_URL] },
      { name: '--require', args: ['--require', REGISTER] },
    ])('$name', (entry) => {
      it.each(FILES)('runs %s as Node alone does, instrumented once', (file) => {
        const plain = run(node, [fixture(file)]);
        expect(plain.status).toBe(0);
        const res = run(node, [...entry.args, fixture(file)]);
        expect(res.status).toBe(0);
        expect(res.stderr).toBe(plain.stderr);
        const ours = splitProbe(res.stdout);
        expect(ours.rest).toBe(splitProbe(plain.stdout).rest);
        expect(ours.probe).toBe(1);
      });
    });
  });
});
