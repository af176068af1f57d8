/**
 * Differences between plain and instrumented runs that are known and not
 * fixable without a cost on every tracked call: an exception that the
 * original method throws at a tracked call (`weakMap.set(1, x)`) passes
 * through the runtime's frames (README: "What stays the same"). Each rule
 * accepts one pair of lines (plain, instrumented) at the same place in both
 * outputs, or drops one kind of instrumented stack frame, and nothing else;
 * everything it doesn't match still fails.
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

export const KNOWN: KnownDifference[] = [
  {
    id: 'runtime-throw-location',
    why:
      "an exception that the original method throws at a tracked call, uncaught: Node's location line names the frame " +
      "that called the method, the runtime's `run`, instead of the user's line (the method must be called after the " +
      'arguments ran and before the bookkeeping, from a frame of the runtime); so does a call whose callee is not a ' +
      'function and whose arguments await (its TypeError is made when the call happens, in a frame of the runtime)',
    pair: (p, i) => /^\S+:\d+$/.test(p) && new RegExp(`^${esc(RUNTIME_DIR)}/collections\\.js:\\d+$`).test(i),
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
];
