/**
 * The register module as `node --require` and `node --import` load it: the
 * program runs as before, each module is instrumented once, and bad options
 * stop it before it starts.
 */
import { describe, expect, it } from 'vitest';
import { ENTRIES, NODES, REGISTER, REGISTER_URL, fixture, run, splitProbe } from './helpers';

describe.each(NODES)('$name', (node) => {
  describe.each(ENTRIES)('$name', (entry) => {
    it.each(['basic/main.cjs', 'basic/main.mjs'])('leaves the output of %s unchanged', (file) => {
      const plain = run(node, [fixture(file)]);
      const ours = run(node, [...entry.args, fixture(file)]);
      expect(plain.status).toBe(0);
      expect(ours).toEqual(plain);
    });

    it.each(['once/probe.cjs', 'once/probe.mjs'])('instruments %s exactly once', (file) => {
      const plain = splitProbe(run(node, [fixture(file)]).stdout);
      const res = run(node, [...entry.args, fixture(file)]);
      expect(res.stderr).toBe('');
      const ours = splitProbe(res.stdout);
      expect(plain.probe).toBe(0);
      expect(ours.probe).toBe(1);
      expect(ours.rest).toBe(plain.rest);
    });

    it('stops with exit code 2 before the program runs on an unknown option, naming it', () => {
      const res = run(node, [...entry.args, fixture('basic/main.cjs')], { env: { ASYNCRACE_OPTIONS: 'exitcode=3 no_such_option=1' } });
      expect(res.status).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('no_such_option');
    });

    it('stops with exit code 2 on a malformed value, naming the option', () => {
      const res = run(node, [...entry.args, fixture('basic/main.mjs')], { env: { ASYNCRACE_OPTIONS: 'halt_on_error=maybe' } });
      expect(res.status).toBe(2);
      expect(res.stdout).toBe('');
      expect(res.stderr).toContain('halt_on_error');
    });

    it('accepts well-formed options', () => {
      const plain = run(node, [fixture('basic/main.cjs')]);
      const ours = run(node, [...entry.args, fixture('basic/main.cjs')], { env: { ASYNCRACE_OPTIONS: 'exitcode=3 halt_on_error=0 strict=0' } });
      expect(ours).toEqual(plain);
    });
  });

  // Run from inside the package, the name resolves to the package itself.
  it.each([
    ['--require', 'once/probe.cjs'],
    ['--import', 'once/probe.mjs'],
  ])('loads as %s asyncrace/register', (flag, file) => {
    const res = run(node, [flag, 'asyncrace/register', fixture(file)]);
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(splitProbe(res.stdout).probe).toBe(1);
  });

  it.each(['once/probe.cjs', 'once/probe.mjs'])('loaded by both --require and --import, acts once on %s', (file) => {
    const res = run(node, ['--require', REGISTER, '--import', REGISTER_URL, fixture(file)]);
    expect(res.status).toBe(0);
    expect(res.stderr).toBe('');
    expect(splitProbe(res.stdout).probe).toBe(1);
  });
});
