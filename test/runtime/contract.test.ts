/**
 * The contract between generated code and the runtime (src/runtime/api.ts):
 * the runtime-less stub the prelude carries, the runtime type of TypeScript
 * output, the installed runtime and the test harness's runtime all have the
 * entries ENTRY lists; the site tuple's codec keeps every field.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parse } from '@babel/parser';
import * as t from '@babel/types';
import { describe, expect, it } from 'vitest';
import { plainRuntime, RUNTIME_TYPE, INSTRUMENTED_MARKER } from '../../src/instrument/prelude';
import { decodeSite, encodeSite, ENTRY, GENERATED_ENTRIES, HOST_ENTRY, SITE, type Site } from '../../src/runtime/api';
import { PlainRuntime, transform } from '../instrument/harness';

const ROOT = path.resolve(__dirname, '..', '..');
const RUNTIME = path.join(ROOT, 'dist', 'runtime', 'index.js');
if (!fs.existsSync(RUNTIME)) throw new Error(`${RUNTIME} is missing: run npm run build first`);

const sorted = (names: Iterable<string>): string[] => [...names].sort();
const generated = sorted(GENERATED_ENTRIES);

describe('the entries', () => {
  it('have one short name each', () => {
    expect(new Set(GENERATED_ENTRIES).size).toBe(GENERATED_ENTRIES.length);
    expect(GENERATED_ENTRIES).toEqual(Object.values(ENTRY));
    for (const name of Object.values(HOST_ENTRY)) expect(GENERATED_ENTRIES).not.toContain(name);
  });

  it("of the prelude's stub are the entries generated code calls, and `note`, the instrumented marker", () => {
    const stub = new Function(`return ${plainRuntime(false)}`)() as Record<string, unknown>;
    const { note, ...entries } = stub;
    expect(note).toContain(INSTRUMENTED_MARKER);
    expect(sorted(Object.keys(entries))).toEqual(generated);
    for (const name of GENERATED_ENTRIES) expect(typeof entries[name]).toBe('function');
  });

  it('of the runtime type in TypeScript output are the entries generated code calls', () => {
    const decl = parse(`interface R ${RUNTIME_TYPE}`, { plugins: ['typescript'] }).program.body[0] as t.TSInterfaceDeclaration;
    const names = decl.body.body.map((m) => ((m as t.TSMethodSignature).key as t.Identifier).name);
    expect(sorted(names)).toEqual(generated);
  });

  it('of the installed runtime are those, and acquire, release and lock', () => {
    const program = `const { installRuntime } = require(${JSON.stringify(RUNTIME)});
      const rt = installRuntime({ strict: false, history: 8, onRace() {} });
      process.stdout.write(JSON.stringify(Reflect.ownKeys(rt).map((k) => [k, typeof rt[k]])));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', program], { cwd: ROOT, encoding: 'utf8' })) as Array<[string, string]>;
    expect(sorted(out.map(([name]) => name))).toEqual(sorted([...GENERATED_ENTRIES, ...Object.values(HOST_ENTRY)]));
    expect(out.every(([, type]) => type === 'function')).toBe(true);
  });

  it("of the tests' PlainRuntime cover the entries generated code calls", () => {
    const rt = new PlainRuntime() as unknown as Record<string, unknown>;
    for (const name of GENERATED_ENTRIES) expect(typeof rt[name], name).toBe('function');
  });
});

describe('the site tuple', () => {
  const base: Site = { what: 'get', sourceIndex: 0, line: 3, column: 5, functionName: 'f' };

  it('leaves off trailing defaults', () => {
    expect(encodeSite(base)).toEqual(['get', 0, 3, 5, 'f']);
    expect(encodeSite({ ...base, message: 'm.get is not a function' })).toEqual(['get', 0, 3, 5, 'f', 'm.get is not a function']);
    expect(encodeSite({ ...base, argsSuspend: true })).toEqual(['get', 0, 3, 5, 'f', null, 0, 1]);
    expect(encodeSite({ ...base, message: '', nullishOnly: true })).toEqual(['get', 0, 3, 5, 'f', '', 1]);
    expect(encodeSite({ ...base, ignored: true })).toEqual(['get', 0, 3, 5, 'f', null, 0, 0, 1]);
  });

  it('decodes to what was encoded', () => {
    const full: Required<Site> = { ...base, message: 'x is not iterable', nullishOnly: true, argsSuspend: true, ignored: true };
    expect(decodeSite(encodeSite(full))).toEqual(full);
    expect(decodeSite(encodeSite(base))).toEqual({ ...base, message: undefined, nullishOnly: false, argsSuspend: false, ignored: false });
  });

  it('has its fields at the indices of SITE', () => {
    const tuple = encodeSite({ what: 'w', sourceIndex: 1, line: 2, column: 3, functionName: 'fn', message: 'msg', nullishOnly: true, argsSuspend: true, ignored: true });
    expect([tuple[SITE.what], tuple[SITE.sourceIndex], tuple[SITE.line], tuple[SITE.column], tuple[SITE.functionName]]).toEqual(['w', 1, 2, 3, 'fn']);
    expect([tuple[SITE.message], tuple[SITE.nullishOnly], tuple[SITE.argsSuspend], tuple[SITE.ignored]]).toEqual(['msg', 1, 1, 1]);
  });

  it('is what the transform registers', () => {
    const { sites } = transform('const m = new Map(); async function f(k) { m.set(k, await k); for (const x of m.get(k)); }').meta;
    expect(sites.map((tuple) => encodeSite(decodeSite(tuple)))).toEqual(sites);
    expect(sites.map((tuple) => decodeSite(tuple).what)).toEqual(['new', 'function', 'set', 'get', 'iterate']);
    expect(decodeSite(sites[2]!)).toMatchObject({ what: 'set', line: 1, functionName: 'f', argsSuspend: true });
  });
});
