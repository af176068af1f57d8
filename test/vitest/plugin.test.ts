/**
 * The vitest plugin's main side through its public entry: the switch, the
 * options, the config it adds and the transform it runs.
 */
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import asyncrace from 'asyncrace/vitest';

const saved = { switch: process.env.ASYNCRACE, options: process.env.ASYNCRACE_OPTIONS, dir: process.env.ASYNCRACE_REPORT_DIR };
afterEach(() => {
  for (const [key, value] of [['ASYNCRACE', saved.switch], ['ASYNCRACE_OPTIONS', saved.options], ['ASYNCRACE_REPORT_DIR', saved.dir]] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

function switchedOn(options?: string): void {
  process.env.ASYNCRACE = '1';
  if (options === undefined) delete process.env.ASYNCRACE_OPTIONS;
  else process.env.ASYNCRACE_OPTIONS = options;
}

const SOURCE = "export const m = new Map();\nexport function f(k: string) { return m.get(k); }\n";
const transform = (plugin: ReturnType<typeof asyncrace>, code: string, id: string) => plugin.transform.call({}, code, id);

describe('asyncrace/vitest', () => {
  test('names an unknown option, switched on or not', () => {
    delete process.env.ASYNCRACE;
    expect(() => asyncrace({ stirct: true } as never)).toThrow(/unknown option "stirct"/);
    expect(() => asyncrace({ exitcode: 'x' })).toThrow(/exitcode needs an integer from 0 to 255, got "x"/);
  });

  test('does nothing unless ASYNCRACE=1', () => {
    delete process.env.ASYNCRACE;
    delete process.env.ASYNCRACE_REPORT_DIR;
    const plugin = asyncrace();
    const config = { test: { setupFiles: ['./mine.ts'] } };
    plugin.config(config);
    expect(config).toEqual({ test: { setupFiles: ['./mine.ts'] } });
    expect(transform(plugin, SOURCE, '/app/src/a.ts')).toBeNull();
  });

  test('switched on, puts its setup file first and hands the options to the workers, ASYNCRACE_OPTIONS overriding the config', () => {
    switchedOn('strict=0 exclude=**/gen/**');
    const plugin = asyncrace({ strict: true, include: ['src/**'] });
    const config: { test?: Record<string, unknown> } = { test: { setupFiles: './mine.ts', env: { MINE: '1' } } };
    plugin.config(config);
    const setupFiles = config.test!.setupFiles as string[];
    expect(setupFiles).toHaveLength(2);
    expect(path.basename(setupFiles[0]!)).toBe('setup.mjs');
    expect(setupFiles[1]).toBe('./mine.ts');
    expect(config.test!.env).toEqual({ MINE: '1', ASYNCRACE: '1', ASYNCRACE_OPTIONS: 'include=src/** exclude=**/gen/**' });
  });

  test('is on under the asyncrace CLI', () => {
    delete process.env.ASYNCRACE;
    process.env.ASYNCRACE_REPORT_DIR = '/tmp/reports';
    const config: { test?: Record<string, unknown> } = {};
    asyncrace().config(config);
    expect(config.test?.setupFiles).toHaveLength(1);
  });

  test('instruments sources with a map to the code it was given, and leaves node_modules alone', () => {
    switchedOn();
    const plugin = asyncrace();
    const out = transform(plugin, SOURCE, '/app/src/a.ts?v=1');
    expect(out).not.toBeNull();
    expect(out!.code).toContain('Symbol.for("asyncrace")');
    expect(out!.code).not.toContain('sourceMappingURL');
    expect((out!.map as { sources: string[] }).sources).toEqual(['/app/src/a.ts']);
    // Every user line stays where it was (the registration goes after the last one).
    const lines = out!.code.split('\n');
    expect(lines[0]).toContain('export const m =');
    expect(lines[1]).toContain('export function f(k: string)');
    expect(transform(plugin, SOURCE, '/app/node_modules/lib/a.js')).toBeNull();
    expect(transform(plugin, SOURCE, '\0virtual:a.ts')).toBeNull();
  });

  test('with include, instruments only the files it names', () => {
    switchedOn('include=**/src/**');
    const plugin = asyncrace();
    expect(transform(plugin, SOURCE, '/app/src/a.ts')).not.toBeNull();
    expect(transform(plugin, SOURCE, '/app/test/a.test.ts')).toBeNull();
  });
});
