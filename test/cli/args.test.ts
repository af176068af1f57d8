import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../src/cli/args';
import { nodeOptionsWith, nodeOptionsWord } from '../../src/register/node-options';

describe('parseCliArgs', () => {
  it('splits asyncrace options from the command at --', () => {
    expect(parseCliArgs(['--json', 'r.json', '--sarif', 'r.sarif', '--junit=r.xml', '--', 'node', '--json', 'x'])).toEqual({
      kind: 'run',
      outputs: { json: 'r.json', sarif: 'r.sarif', junit: 'r.xml' },
      command: ['node', '--json', 'x'],
    });
  });

  it('accepts --json=FILE and a command without --', () => {
    expect(parseCliArgs(['--json=r.json', 'node', 'app.js'])).toEqual({ kind: 'run', outputs: { json: 'r.json' }, command: ['node', 'app.js'] });
  });

  it('names an unknown option', () => {
    expect(() => parseCliArgs(['--sarf', 'x', '--', 'node'])).toThrow(UsageError);
    expect(() => parseCliArgs(['-x', '--', 'node'])).toThrow('unknown option "-x"');
    expect(() => parseCliArgs(['--jsn=a', '--', 'node'])).toThrow('unknown option "--jsn"');
  });

  it('needs a file after each output flag and a command', () => {
    expect(() => parseCliArgs(['--json'])).toThrow('--json needs a file');
    expect(() => parseCliArgs(['--sarif', '--', 'node'])).toThrow('--sarif needs a file');
    expect(() => parseCliArgs(['--junit='])).toThrow('--junit needs a file');
    expect(() => parseCliArgs(['--'])).toThrow('no command');
  });

  it('allows --help alone, and within a subcommand', () => {
    expect(parseCliArgs(['-h'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['merge', '--help'])).toEqual({ kind: 'help' });
    expect(parseCliArgs(['report', 'a.json', '-h'])).toEqual({ kind: 'help' });
  });

  it('reads merge OUT IN...', () => {
    expect(parseCliArgs(['merge', 'all.json', 'a.json', 'b.json'])).toEqual({ kind: 'merge', out: 'all.json', inputs: ['a.json', 'b.json'] });
    expect(() => parseCliArgs(['merge', 'all.json'])).toThrow('merge needs an output file and at least one input');
    expect(() => parseCliArgs(['merge', '--sarif', 'x', 'a.json'])).toThrow('unknown option "--sarif" for merge');
  });

  it('reads report FILE... with output flags anywhere', () => {
    expect(parseCliArgs(['report', 'a.json', '--sarif', 'a.sarif', 'b.json'])).toEqual({
      kind: 'report',
      outputs: { sarif: 'a.sarif' },
      files: ['a.json', 'b.json'],
    });
    expect(() => parseCliArgs(['report', '--junit', 'x.xml'])).toThrow('report needs a JSON report file');
  });

  it('runs a command named like a subcommand after --', () => {
    expect(parseCliArgs(['--', 'merge', 'x'])).toEqual({ kind: 'run', outputs: {}, command: ['merge', 'x'] });
  });
});

describe('NODE_OPTIONS', () => {
  it('quotes a path only when it needs quoting', () => {
    expect(nodeOptionsWord('/a/b.js')).toBe('/a/b.js');
    expect(nodeOptionsWord('/my apps/b.js')).toBe('"/my apps/b.js"');
    expect(nodeOptionsWord('C:\\x y\\"q".js')).toBe('"C:\\\\x y\\\\\\"q\\".js"');
  });

  it('appends --require to the existing options', () => {
    expect(nodeOptionsWith(undefined, '/a/r.js')).toBe('--require /a/r.js');
    expect(nodeOptionsWith('  ', '/a/r.js')).toBe('--require /a/r.js');
    expect(nodeOptionsWith('--max-old-space-size=64', '/a b/r.js')).toBe('--max-old-space-size=64 --require "/a b/r.js"');
  });
});
