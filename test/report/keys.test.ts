import { describe, expect, it } from 'vitest';
import { keyKind, renderKey } from '../../src/report/keys';

describe('renderKey', () => {
  it('renders primitives as text', () => {
    expect(renderKey('user:1')).toBe('user:1');
    expect(renderKey('')).toBe('');
    expect(renderKey(42)).toBe('42');
    expect(renderKey(-0)).toBe('0');
    expect(renderKey(NaN)).toBe('NaN');
    expect(renderKey(10n)).toBe('10');
    expect(renderKey(true)).toBe('true');
    expect(renderKey(undefined)).toBe('undefined');
    expect(renderKey(null)).toBe('null');
    expect(renderKey(Symbol('id'))).toBe('Symbol(id)');
    expect(renderKey(Symbol())).toBe('Symbol()');
  });

  it('renders objects with their constructor and a stable id', () => {
    class Request {}
    const a = new Request();
    const b = new Request();
    const ra = renderKey(a);
    expect(ra).toMatch(/^\[object Request#\d+\]$/);
    expect(renderKey(a)).toBe(ra);
    expect(renderKey(b)).not.toBe(ra);
    expect(renderKey(Object.create(null))).toMatch(/^\[object Object#\d+\]$/);
    expect(renderKey(() => 0)).toMatch(/^\[object Function#\d+\]$/);
    expect(renderKey([1])).toMatch(/^\[object Array#\d+\]$/);
  });

  it('runs no user code to name an object', () => {
    const proxy = new Proxy({}, { getPrototypeOf() { throw new Error('trap'); } });
    expect(renderKey(proxy)).toMatch(/^\[object Object#\d+\]$/);
    const proto = {};
    Object.defineProperty(proto, 'constructor', { get() { throw new Error('getter'); } });
    expect(renderKey(Object.create(proto))).toMatch(/^\[object Object#\d+\]$/);
  });

  it('renders the key set as (keys)', () => {
    expect(renderKey(undefined, true)).toBe('(keys)');
    expect(renderKey('x', true)).toBe('(keys)');
  });
});

describe('keyKind', () => {
  it('is typeof with null apart and functions as objects', () => {
    expect(keyKind('a')).toBe('string');
    expect(keyKind(1)).toBe('number');
    expect(keyKind(1n)).toBe('bigint');
    expect(keyKind(null)).toBe('null');
    expect(keyKind(undefined)).toBe('undefined');
    expect(keyKind(() => 0)).toBe('object');
    expect(keyKind(Symbol())).toBe('symbol');
  });
});
