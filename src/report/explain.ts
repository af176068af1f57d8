/**
 * Words for a race: why the accesses race and how to fix it, chosen from what
 * the detector knows (the pattern of the accesses, the operation each one is,
 * the tasks). Decided when a race is resolved; the text formatter only prints
 * them.
 *
 * Two rules keep the words from contradicting the code. A hint only asks for
 * what the race shows the code does not do (check and act in one step, a
 * snapshot where a loop runs across the await), and where the detector cannot
 * tell (what the task does with a value it read twice) it says so with an
 * "if". The explanation names each task once: an interleaved access counted in
 * the awaiting task (a callback it scheduled) or in the same callback source
 * is named by what it is, not by the same number again.
 */
import type { RawAccess, RawRace, RawTask } from '../runtime/race';
import { siteInfo } from '../runtime/sites';
import { sourceLineReader } from './fingerprint';
import { siteFrame } from './frames';
import type { ReportFrame } from './types';

export interface Explanation {
  /** Why the accesses race, in one line. */
  explanation?: string;
  /** Atomicity violation: when the task came back to the key (`after the await`, `in the callback`). */
  resumed?: string;
  /** A one-line fix. */
  hint?: string;
}

/** Where the task let others run: at an await, or between a call and the callback it passed. */
export interface Gap {
  /** Before the task let others run. */
  before: string;
  /** When it came back. */
  after: string;
  /** For as long as the others could run. */
  across: string;
  /** What a get-or-create stores at the check. */
  pending: string;
}

export const AWAIT: Gap = { before: 'before the await', after: 'after the await', across: 'across the await', pending: 'the promise' };
export const CALLBACK: Gap = {
  before: 'before the call that takes the callback',
  after: 'in the callback',
  across: 'until the callback has run',
  pending: 'a pending entry',
};

/** Methods that read the key set as an iteration does (`size` reads it whole, as `Array.from` does). */
const KEY_SET_READS: ReadonlySet<string> = new Set(['iterate', 'forEach', 'keys', 'values', 'entries', 'size']);
/** Calls that return an iterator, which a loop can step through later. */
const ITERATORS: ReadonlySet<string> = new Set(['keys', 'values', 'entries']);

export const HINTS = {
  /** A check, then an insert after the await (a stampede, a lost update). */
  checkThenAct: (g: Gap): string => `store ${g.pending} in the same step as the check (get-or-create), or hold a lock ${g.across}`,
  /** The same on a Set, which holds no promise. */
  checkThenAdd: (g: Gap): string => `add the key in the same step as the check (claim it ${g.before}), or hold a lock ${g.across}`,
  /** A check, then a delete after the await: it can remove another task's entry. */
  checkThenDelete: (g: Gap): string => `take the entry out in the same step as the check (delete it ${g.before}), or hold a lock ${g.across}`,
  /** A read of the key set (size, an iteration, a snapshot), then an insert or delete after the await. */
  keySetThenAct: (g: Gap): string => `make the change in the same step as the read of the keys (size, iteration) that decided it, or hold a lock ${g.across}`,
  /** A loop over the collection itself that awaits between its steps. */
  iteration: (type: string): string => `iterate over a snapshot taken before the loop ([...${type === 'Set' ? 'set' : 'map'}]), or hold a lock across the loop`,
  /** Two reads with another task's write between: what the task does with the first is not known. */
  staleRead: (g: Gap): string =>
    `if the task still acts on what it read ${g.before}, act only on what it reads ${g.after} (the value may have changed or gone), or hold a lock ${g.across}`,
  /** A write, then a read of it after the await. */
  readBack: (g: Gap): string =>
    `another task can overwrite this task's write meanwhile: if the task expects to read its own value ${g.after}, keep it in a variable, or hold a lock ${g.across}`,
  /** Two writes that another task can read between. */
  partialWrite: (g: Gap): string => `another task can read the value in between: write it once, complete, or hold a lock ${g.across}`,
  /** The same on the key set: inserts or deletes that another task can see half done. */
  partialChange: (g: Gap): string => `another task can see the collection half-changed in between: make the changes in one step, or hold a lock ${g.across}`,
  order: (): string => 'use a promise, an await, or a lock to order them',
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

// The program's text, read only for an iteration race that needs it, each file once.
const lineText = sourceLineReader();
// Enough to reach the token before an expression that starts a line of its own.
const LINES_ABOVE = 4;

/**
 * The code just before a frame's position (its line up to the position, after
 * a few lines above it), without the whitespace and opening parentheses that
 * end it; undefined when the file cannot be read or the position is not in it.
 */
function codeBefore(frame: ReportFrame): string | undefined {
  const line = lineText(frame.file, frame.line);
  if (line === undefined || frame.column < 1 || frame.column - 1 > line.length) return undefined;
  const above: string[] = [];
  for (let n = Math.max(1, frame.line - LINES_ABOVE); n < frame.line; n++) above.push(lineText(frame.file, n) ?? '');
  return [...above, line.slice(0, frame.column - 1)].join('\n').replace(/[\s(]+$/, '');
}

/**
 * How the iteration at a site takes the collection, as written there: a loop
 * (`for..of`, `yield*`) steps through it and can await between steps; a
 * spread or a destructuring takes it whole, at once. Undefined when the code
 * cannot be read or is neither.
 */
function iterationForm(site: number): 'loop' | 'whole' | undefined {
  const frame = siteFrame(site);
  const before = frame && codeBefore(frame);
  if (before === undefined) return undefined;
  if (/(?:^|[^\w$.])of$/.test(before) || /(?:^|[^\w$.])yield\s*\*$/.test(before)) return 'loop';
  if (/\.\.\.$/.test(before) || /(?:^|[^=!<>])=$/.test(before)) return 'whole';
  return undefined;
}

/**
 * Whether the task's iteration itself runs across the gap: after it, the task
 * takes the next step of an iterator it had before (a `for..of` over the
 * collection that awaits in its body, an iterator from `keys()` stepped later).
 * A snapshot, `forEach`, `size` or a loop that ended before the gap is not.
 */
function liveIteration(a1: RawAccess, a2: RawAccess): boolean {
  if (a2.method !== 'iterate') return false;
  if (ITERATORS.has(a1.method)) return true;
  return a1.method === 'iterate' && a1.site === a2.site && a1.frame === a2.frame && iterationForm(a2.site) === 'loop';
}

function hintFor(raw: RawRace, gap: Gap): string {
  const { previous: a1, current: a2 } = raw;
  const keySet = raw.object.keySet;
  if (a1.op === 'read' && a2.op === 'read') {
    if (keySet && liveIteration(a1, a2)) return HINTS.iteration(raw.object.type);
    return HINTS.staleRead(gap);
  }
  if (a1.op === 'write' && a2.op === 'read') return HINTS.readBack(gap);
  if (a1.op === 'write') return keySet ? HINTS.partialChange(gap) : HINTS.partialWrite(gap);
  // A read, then a write after the gap: check then act.
  if (keySet && KEY_SET_READS.has(a1.method)) return HINTS.keySetThenAct(gap);
  if (a2.method === 'delete' || a2.method === 'clear') return HINTS.checkThenDelete(gap);
  if (raw.object.type === 'Set' || raw.object.type === 'WeakSet') return HINTS.checkThenAdd(gap);
  return HINTS.checkThenAct(gap);
}

/**
 * The interleaved access's task, as the explanation names it: by its number,
 * or, when that number is one the sentence names already, by what it is.
 * `first` is the task of the task's first access, `later` that of its
 * continuation when it is another (a callback).
 */
function interleaver(b: RawAccess | undefined, first: number, awaited: boolean, later?: number): string {
  if (!b) return 'another task';
  if (b.task !== first && b.task !== later) return `task ${b.task}`;
  // Counted in the awaiting task: its shadow stack grew from the task's, so the task scheduled it.
  if (awaited) return 'a callback it scheduled';
  // The same callback source (a repeating timer, an emitter or a socket) ran it too.
  if (b.task === first) return later === undefined ? 'another of its callbacks' : 'another callback of its own';
  return 'an earlier callback of that task';
}

function atomicity(raw: RawRace): Explanation {
  const a1 = raw.previous;
  const a2 = raw.current;
  const awaited = a1.task === a2.task && asyncFunction(taskOf(raw, a2.task)) !== undefined;
  if (awaited) {
    const other = interleaver(raw.interleaved, a1.task, true);
    return { explanation: `task ${a1.task} awaits here; ${other} can run before it resumes`, resumed: AWAIT.after, hint: hintFor(raw, AWAIT) };
  }
  const explanation =
    a1.task === a2.task
      ? `task ${a1.task} continues in a later callback; ${interleaver(raw.interleaved, a1.task, false)} can run before it`
      : `task ${a1.task} continues in a callback (task ${a2.task}); ${interleaver(raw.interleaved, a1.task, false, a2.task)} can run before it`;
  return { explanation, resumed: CALLBACK.after, hint: hintFor(raw, CALLBACK) };
}

function unordered(raw: RawRace): Explanation {
  const x = raw.current.task;
  const y = raw.previous.task;
  const explanation = x === y ? UNORDERED : `nothing orders these two events: task ${x} (${taskKind(raw, x)}) and task ${y} (${taskKind(raw, y)})`;
  return { explanation, hint: HINTS.order() };
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
