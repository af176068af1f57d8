/**
 * Differences between plain and instrumented runs that are known and not
 * fixable in the transform: bugs of the runtime (src/runtime, reported with
 * reproductions, to be fixed there) and one V8 quirk. Each rule accepts one
 * pair of lines (plain, instrumented) at the same place in both outputs, or
 * drops one kind of instrumented stack frame, and nothing else; everything it
 * doesn't match still fails. Once the runtime is fixed, a rule stops matching
 * and can go.
 */
import path from 'node:path';

export interface KnownDifference {
  id: string;
  why: string;
  /** Accepts a differing pair of lines (`output`: the whole plain output they come from). */
  pair?: (plain: string, instrumented: string, output: string) => boolean;
  /** Drops a line of the instrumented stderr. */
  drop?: (line: string) => boolean;
}

const RUNTIME_DIR = path.resolve(__dirname, '..', '..', 'dist', 'runtime');
const esc = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** V8's message for a call being iterated whose callee is not callable, and what the runtime's thrower says instead. */
const ITERATED_CALL = /^(.*?)TypeError: (?:.* is not a function or its return value is not (?:async )?iterable|yield\* (?:\(intermediate value\))+ is not (?:async )?iterable)$/;
const NOT_A_FUNCTION = /^(.*?)TypeError: .* is not a function$/;

export const KNOWN: KnownDifference[] = [
  {
    id: 'runtime-throw-location',
    why:
      'a TypeError the runtime throws itself (not iterable, not a function) or that a tracked call passes on: ' +
      "Node's uncaught-exception location line names the runtime's file, where the throw statement is, instead of the user's line",
    pair: (p, i) => /^\S+:\d+$/.test(p) && new RegExp(`^${esc(RUNTIME_DIR)}/[\\w-]+\\.js:\\d+$`).test(i),
  },
  {
    id: 'runtime-iterated-call-thrower',
    why:
      "the runtime's not-a-function thrower always says `X is not a function`; at a call that is iterated " +
      '(`for (x of o.f())`, `[...o.f()]`, `const [a] = f()`, `yield* o.f()`, `for await`) V8 says `X is not a function or its ' +
      'return value is not (async) iterable` (X printed without `(...)`) or `yield* (intermediate value) is not iterable`',
    // Compared piece by piece between quotes (a printed line may hold several messages).
    pair: (p, i) => {
      const a = p.split('"');
      const b = i.split('"');
      if (a.length !== b.length) return false;
      let hit = false;
      for (let k = 0; k < a.length; k++) {
        if (a[k] === b[k]) continue;
        const x = ITERATED_CALL.exec(a[k]!);
        const y = NOT_A_FUNCTION.exec(b[k]!);
        if (!x || !y || x[1] !== y[1]) return false;
        hit = true;
      }
      return hit;
    },
  },
  {
    id: 'runtime-frames-in-stack',
    why:
      "an exception from the original method of a tracked call (`wm.set(1, 2)`) carries the runtime's own frames " +
      '(`run`, `entries.<computed>`) in its stack; they count against Error.stackTraceLimit, so the last two frames of a deep stack are lost',
    drop: (line) => /^\s+at /.test(line) && line.includes(`${RUNTIME_DIR}/`),
    // A printed frame list (`f (:3) < g (:9) < ...`) that lost its last two frames.
    pair: (p, i) => {
      if (!i.endsWith('"') || !p.startsWith(i.slice(0, -1) + ' < ')) return false;
      const lost = p.slice(i.length - 1, -1).split(' < ').length - 1;
      return p.endsWith('"') && lost >= 1 && lost <= 2;
    },
  },
  {
    id: 'transform-inferred-name',
    why:
      "V8 names an anonymous function argument after the call's callee and a later object literal's key " +
      "(`m.forEach((v) => {...}, { tag })` runs as `m.forEach.tag` in stack frames); in the instrumented call " +
      'the callee is generated code, so the name comes out different (`Object.tag`). Only the frame name differs',
    // The generator's only such literal is forEach's `{ tag: 'thisArg' }`: frames named `<anything>.tag`.
    pair: (p, i) => {
      const name = /\bat (?:async )?[\w$<>]+(?:\.[\w$<>]+)*\.tag \(/g;
      return p !== i && name.test(p) && p.replace(name, 'at *.tag (') === i.replace(name, 'at *.tag (');
    },
  },
  {
    id: 'transform-generated-code-in-message',
    why:
      'V8 quotes the expression in a few TypeErrors that the transform does not route through the runtime: ' +
      "`Cannot destructure property 'a' of 'm.get(...)'`, `m.get(...) is not a constructor`, `for await` over a " +
      'non-iterable; with a rewritten collection access inside, the quote shows the generated code (`(_f , _ar.t(...))(...)`, ' +
      'or `(intermediate value)` three times for a lowered optional chain). Fixing it needs a runtime entry that throws a given message',
    pair: (p, i) => {
      const quoted = [/(Cannot destructure (?:property '[^']*' of )?')([^"]*?)(' as it is)/, /(TypeError: )([^"]*?)( is not a constructor| is not a function or its return value is not async iterable| is not async iterable)/];
      return quoted.some((re) => {
        const a = re.exec(p)?.[2];
        const b = re.exec(i)?.[2];
        if (a === undefined || b === undefined || a === b) return false;
        const generated = /\b_ar\w*\.|\(_[of]\w* , |(\(intermediate value\)){3}/.test(b);
        return generated && p.replace(re, '$1#$3') === i.replace(re, '$1#$3');
      });
    },
  },
  {
    id: 'v8-optional-spread-position',
    why: 'V8 puts the error of spreading a non-iterable optional chain in an array (`[...a?.b]`) at 1:1; the runtime throws it from the right line',
    pair: (p, i, output) => {
      if (!output.includes('(intermediate value) is not iterable')) return false;
      // The first difference is inside a line number: `:1` in the plain line, `:<n>` in the instrumented one.
      let st = [...p].findIndex((c, k) => c !== i[k]);
      while (st > 0 && /\d/.test(p[st - 1]!)) st--;
      const a = /^\d+/.exec(p.slice(st))?.[0];
      const b = /^\d+/.exec(i.slice(st))?.[0];
      return st > 0 && p[st - 1] === ':' && a === '1' && b !== undefined && p.slice(st + 1) === i.slice(st + b.length);
    },
  },
];
