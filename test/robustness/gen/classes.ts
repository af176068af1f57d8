/**
 * Subclasses of Map and Set: overriding methods that call `super` in its
 * forms, accessors, iterators, fields and static blocks.
 */
import fc from 'fast-check';

const w = <T>(weight: number, arbitrary: fc.Arbitrary<T>): fc.WeightedArbitrary<T> => ({ weight, arbitrary });

const MAP_METHODS = ['get', 'set', 'has', 'delete', 'clear', 'forEach', 'keys', 'values', 'entries'];
const SET_METHODS = ['add', 'has', 'delete', 'clear', 'forEach', 'keys', 'values', 'entries'];

/** How an override reaches the original method. */
const SUPER_FORMS: Array<(m: string) => string> = [
  (m) => `super.${m}(...args)`,
  (m) => `super.${m}?.(...args)`,
  (m) => `super['${m}'](...args)`,
  (m) => `super.${m}(args[0], args[1])`,
  (m) => `super.${m}.call(this, ...args)`,
  (m) => `super.${m}.apply(this, args)`,
  (m) => `K(super.${m}(...args))`,
  (m) => `(() => super.${m}(...args))()`,
];

function methodOverrideArb(methods: string[], name: string, extra: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...methods), fc.constantFrom(...SUPER_FORMS), extra, fc.boolean())
    .map(([m, form, stmt, guard]) => {
      const check = guard && (m === 'set' || m === 'add') ? `if (args[0] === 'bad') throw new RangeError('${name} rejects bad');` : '';
      return `${m}(...args) { log(@L, '${name}.${m}', ...args); ${check} ${stmt} return ${form(m)}; }`;
    });
}

/** Members of a class extending Map (`map`) or Set; `extra` adds a statement to method bodies. */
export function membersArb(kind: 'map' | 'set', name: string, extra: fc.Arbitrary<string> = fc.constant('')): fc.Arbitrary<string[]> {
  const first = kind === 'map' ? "[1, 'one']" : '1';
  const member = fc.oneof(
    w(6, methodOverrideArb(kind === 'map' ? MAP_METHODS : SET_METHODS, name, extra)),
    w(1, fc.constantFrom('get size() { return super.size + 100; }', "get size() { log(@L, 'size getter'); return super.size; }", 'get size() { return this.hits ?? -1; }')),
    w(1, fc.constantFrom('*[Symbol.iterator]() { yield* super[Symbol.iterator](); }', '[Symbol.iterator]() { return super.keys(); }', `*[Symbol.iterator]() { yield ${first}; for (const e of super.entries()) yield e; }`)),
    w(1, fc.constantFrom('hits = 0;', '#own = new Map();', 'static made = 0;', `static { log(@L, 'static block of ${name}'); }`)),
    w(1, fc.constantFrom(`peek(k) { this.hits = (this.hits ?? 0) + 1; return this.has(k) ? K(k) : super.has(k); }`, `count() { return this.size + super.size; }`, `each(cb) { this.forEach(cb, this); return this; }`)),
    w(1, fc.constantFrom(`constructor(it) { super(it); this.tag = '${name}'; }`, `constructor(...a) { log(@L, 'new ${name}', a.length); super(...a); }`)),
  );
  // A class may hold one constructor, one iterator and one size accessor: keep the first of each.
  return fc.array(member, { maxLength: 4 }).map((ms) => {
    const seen = new Set<string>();
    return ms.filter((m) => {
      const kind = /^(constructor|\*?\[Symbol\.iterator\]|get size|#own|hits|static made|\w+)/.exec(m)?.[1]?.replace('*', '') ?? m;
      if (seen.has(kind)) return false;
      seen.add(kind);
      return true;
    });
  });
}

/** `class Name extends Base { ... }` */
export function classArb(kind: 'map' | 'set', name: string, base: string, extra?: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return membersArb(kind, name, extra).map((ms) => `class ${name} extends ${base} {\n${ms.map((m) => `  ${m}`).join('\n')}\n}`);
}
