import { describe, expect, it } from 'vitest';
import { parseCliArgs, UsageError } from '../../src/cli/args';
import { nodeOptionsWith, nodeOptionsWord } from '../../src/cli/child';

describe('parseCliArgs', () => {
  it('splits asyncrace options from the command at --', () => {
    expect(parseCliArgs(['--json', 'r.json', '--', 'node', '--json', 'x'])).toEqual({
      help: false,
      json: 'r.json',
      command: ['node', '--json', 'x'],
    });
  });

  it('accepts --json=FILE and a command without --', () => {
    expect(parseCliArgs(['--json=r.json', 'node', 'app.js'])).toEqual({ help: false, json: 'r.json', command: ['node', 'app.js'] });
  });

  it('names an unknown option', () => {
    expect(() => parseCliArgs(['--sarif', 'x', '--', 'node'])).toThrow(UsageError);
    expect(() => parseCliArgs(['-x', '--', 'node'])).toThrow('unknown option "-x"');
  });

  it('needs a file after --json and a command', () => {
    expect(() => parseCliArgs(['--json'])).toThrow('--json needs a file');
    expect(() => parseCliArgs(['--json', '--', 'node'])).toThrow('--json needs a file');
    expect(() => parseCliArgs(['--'])).toThrow('no command');
  });

  it('allows --help alone', () => {
    expect(parseCliArgs(['-h'])).toEqual({ help: true, command: [] });
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
