/**
 * The persistent shadow call stack: instrumented functions push a cell on
 * entry and restore the caller's on exit, so an access or a task creation can
 * keep its stack as one pointer, with no capture. Cells are immutable apart
 * from two flags, and are shared by every stack that grew from them.
 */
import type { Frame } from './api';

/** A shadow stack cell, with the state of the activation it stands for. */
export class Cell implements Frame {
  /** Set once the (async) function has suspended at an await: it is a task of its own. */
  awaited = false;
  /** Set when the activation has returned. */
  done = false;
  /** Task number, given when a report first names it. */
  task = 0;
  constructor(
    readonly site: number,
    readonly parent: Cell | null,
  ) {}
}

let cur: Cell | null = null;

/** The innermost instrumented activation running now. */
export function currentFrame(): Cell | null {
  return cur;
}

/** Makes `frame` current: event boundaries restore the stack of the code that scheduled them. */
export function setFrame(frame: Frame | null): void {
  cur = frame as Cell | null;
}

/** Enters an instrumented function (the site of its entry); returns its cell. */
export function enterFunction(site: number): Cell {
  return (cur = new Cell(site, cur));
}

/** Leaves the function whose cell `enterFunction` returned: its caller's is current again. */
export function leaveFunction(frame: Frame): void {
  const f = frame as Cell;
  f.done = true;
  cur = f.parent;
}

/** At an await of the function of `frame`, whose operand is `v`: the function becomes a task of its own, its caller's cell current. */
export function suspend<T>(v: T, frame: Frame): T {
  const f = frame as Cell;
  f.awaited = true;
  cur = f.parent;
  return v;
}

/** Resumes the function of `frame` (after an await, or at a catch or finally block); returns `v`. */
export function resume<T>(v: T, frame: Frame): T {
  cur = frame as Cell;
  return v;
}
