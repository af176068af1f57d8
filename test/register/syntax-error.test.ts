/**
 * A syntax error in the program is Node's own: the same message, file and
 * line, and exit code as without asyncrace (the transform declines the file
 * and Node compiles the original).
 */
import { describe, expect, it } from 'vitest';
import { ENTRIES, NODES, errorHead, fixture, run } from './helpers';

const CASES = [
  { file: 'syntax/bad.cjs', at: 'bad.cjs:5' },
  { file: 'syntax/requires-bad.cjs', at: 'bad.cjs:5' },
  { file: 'syntax/bad.mjs', at: 'bad.mjs:4' },
  { file: 'syntax/imports-bad.mjs', at: 'bad.mjs:4' },
];

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    it.each(CASES)('reports the SyntaxError of $file as Node does', ({ file, at }) => {
      const plain = run(node, [fixture(file)]);
      const ours = run(node, [...entry.args, fixture(file)]);
      expect(plain.status).not.toBe(0);
      expect(ours.status).toBe(plain.status);
      expect(ours.stdout).toBe(plain.stdout);
      const head = errorHead(ours.stderr);
      expect(head).toBe(errorHead(plain.stderr));
      expect(head.split('\n')[0]).toContain(at);
      expect(head).toMatch(/^SyntaxError: /m);
      expect(ours.stderr).not.toContain('asyncrace:');
    });
  });
});
