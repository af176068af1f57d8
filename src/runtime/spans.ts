/**
 * When two accesses in different events belong to one task, so that what
 * happens between them breaks the task's atomicity (docs/semantics.md):
 *
 * - the same async function activation, resumed after an await; or
 * - the activation that both accesses share (their deepest common shadow
 *   frame) is the one that created the later access's callback: a check in
 *   render() and the set in the readFile callback render() passed; a
 *   then-chain built in one call.
 *
 * Continuation is not ancestry: a module's top level (no activation) or a
 * function that starts handlers from inside callees it calls (a map()
 * callback, a Promise executor) forks independent tasks, not one span.
 *
 * Another task's access can come between a task's two accesses also inside
 * the first one's event: its caller's code after the call suspended.
 */
import { causallyBefore } from './events';
import type { Access } from './shadow-state';
import type { Cell } from './shadow-stack';

const MAX_DEPTH = 64;

/** The innermost activation on a shadow stack that has awaited: an async task of its own. */
export function awaitedTask(frame: Cell | null): Cell | null {
  for (let f = frame, n = 0; f && n < MAX_DEPTH; f = f.parent, n++) if (f.awaited) return f;
  return null;
}

/** The deepest activation on both shadow stacks. */
function commonActivation(a: Cell | null, b: Cell | null): Cell | null {
  if (!a || !b) return null;
  const seen: Cell[] = [];
  for (let x: Cell | null = a; x && seen.length < MAX_DEPTH; x = x.parent) seen[seen.length] = x;
  for (let y: Cell | null = b, n = 0; y && n < MAX_DEPTH; y = y.parent, n++) {
    for (let i = 0; i < seen.length; i++) if (seen[i] === y) return y;
  }
  return null;
}

/** Whether `inner` is a strict descendant of `outer` on a shadow stack. */
function below(inner: Cell, outer: Cell): boolean {
  for (let f = inner.parent, n = 0; f && n < MAX_DEPTH; f = f.parent, n++) if (f === outer) return true;
  return false;
}

/**
 * Whether `b`, in the event of `earlier` and after it, ran outside the async
 * activation that continues from `earlier` to `later`: that activation had
 * suspended at an await by then, and `b` is its caller's code or another's
 * (`memoized(); cache.clear()` clears between memoized's check and its use
 * after the await).
 */
export function comesBetweenInEvent(earlier: Access, b: Access, later: Access): boolean {
  if (b.ev !== earlier.ev || b.n < earlier.n) return false;
  const t = awaitedTask(later.frame);
  if (!t || t !== awaitedTask(earlier.frame)) return false;
  return b.frame !== t && !(b.frame && below(b.frame, t));
}

/** Whether `later` continues the task that made `earlier` (in an earlier event). */
export function sameTask(earlier: Access, later: Access): boolean {
  if (earlier.ev === later.ev || !causallyBefore(earlier.ev, later.ev)) return false;
  const t = awaitedTask(later.frame);
  if (t && t === awaitedTask(earlier.frame)) return true;
  const shared = commonActivation(earlier.frame, later.frame);
  if (shared === null || shared !== later.ev.src?.frame) return false;
  // An async function called by the shared activation resumes as a task of its own (its awaits
  // are created in its caller's frame): its later accesses do not continue the caller's.
  return !(t && below(t, shared));
}
