/**
 * Words for a race: why the accesses race and how to fix it, chosen from what
 * the detector knows (the pattern of the accesses, the tasks). Decided when a
 * race is resolved; the text formatter only prints them.
 */
import type { RawRace, RawTask } from '../runtime/race';
import { siteInfo } from '../runtime/sites';

export interface Explanation {
  /** Why the accesses race, in one line. */
  explanation?: string;
  /** Atomicity violation: when the task came back to the key (`after the await`, `in the callback`). */
  resumed?: string;
  /** A one-line fix. */
  hint?: string;
}

/** Methods that iterate over the collection (reads of its key set). */
const ITERATION: ReadonlySet<string> = new Set(['iterate', 'forEach', 'keys', 'values', 'entries']);

export const HINTS = {
  checkThenAct: 'store the promise in the same step as the check (get-or-create), or hold a lock across the await',
  staleRead: 're-check after the await, or hold a lock across it',
  iteration: 'iterate over a snapshot ([...map]) or hold a lock across the loop',
  partialWrite: 'another task can read the value in between: write it once, complete, or hold a lock across the await',
  order: 'use a promise, an await, or a lock to order them',
} as const;

const UNORDERED = 'no await, promise or lock orders these accesses';

function taskOf(raw: RawRace, id: number): RawTask | undefined {
  return raw.tasks.find((t) => t.id === id);
}

/** The name of the async function a task is, or undefined when the task is not one. */
function asyncFunction(task: RawTask | undefined): string | undefined {
  if (!task || !task.createdSite) return undefined;
  const info = siteInfo(task.createdSite);
  return info?.what === 'function' ? info.function : undefined;
}

/** What kind of task runs an access, as far as the detector tells: top-level code, an async function, a callback. */
function taskKind(raw: RawRace, id: number): string {
  // Task 1 stands for events no task was found for: the main script first of all.
  if (id === 1) return 'top-level code';
  const fn = asyncFunction(taskOf(raw, id));
  if (fn !== undefined) return fn ? `async function ${fn}` : 'an async function';
  return 'a callback';
}

function atomicity(raw: RawRace): Explanation {
  const a1 = raw.previous;
  const b = raw.interleaved;
  const a2 = raw.current;
  const other = b ? `task ${b.task}` : 'another task';
  const awaited = a1.task === a2.task && asyncFunction(taskOf(raw, a2.task)) !== undefined;
  const out: Explanation = awaited
    ? { explanation: `task ${a1.task} awaits here; ${other} can run before it resumes`, resumed: 'after the await' }
    : {
        explanation:
          a1.task === a2.task
            ? `task ${a1.task} continues in a later callback; ${other} can run before it`
            : `task ${a1.task} continues in a callback (task ${a2.task}); ${other} can run before it`,
        resumed: 'in the callback',
      };
  if (raw.object.keySet && (ITERATION.has(a1.method) || ITERATION.has(a2.method))) out.hint = HINTS.iteration;
  else if (a2.op === 'read') out.hint = HINTS.staleRead;
  else if (a1.op === 'read') out.hint = HINTS.checkThenAct;
  else out.hint = HINTS.partialWrite;
  return out;
}

function unordered(raw: RawRace): Explanation {
  const x = raw.current.task;
  const y = raw.previous.task;
  const explanation = x === y ? UNORDERED : `nothing orders these two events: task ${x} (${taskKind(raw, x)}) and task ${y} (${taskKind(raw, y)})`;
  return { explanation, hint: HINTS.order };
}

/**
 * The explanation and fix hint of a race.
 *
 * @example
 *   explainRace(raw) // => { explanation: 'task 9 awaits here; task 11 can run before it resumes', resumed: 'after the await', hint: 'store the promise ...' }
 */
export function explainRace(raw: RawRace): Explanation {
  return raw.kind === 'atomicity-violation' ? atomicity(raw) : unordered(raw);
}
