/**
 * What the detector hands to the report side when it finds a race: raw ids and
 * shadow frames, resolved to source locations only then (src/report/collect.ts).
 */
import type { Frame } from './api';

/**
 * The classes of race (docs/semantics.md): a task's two accesses with another's between them that
 * breaks them; two unordered accesses whose outcome depends on the order; in strict mode, any
 * unordered conflicting pair.
 */
export type RaceKind = 'atomicity-violation' | 'order-race' | 'data-race';

/** A frame of a live V8 stack, in the positions of the code V8 ran (1-based). */
export interface LiveFrame {
  file: string;
  line: number;
  column: number;
  function: string;
  /** The position is in the original source already (the host's stack formatter mapped it). */
  original?: boolean;
}

export interface RawAccess {
  op: 'read' | 'write';
  method: string;
  task: number;
  /** Site id of the access. */
  site: number;
  /** Shadow call stack at the access: the innermost instrumented function activation. */
  frame: Frame | null;
  /** Live stack of the access, present for the current access only (runtime frames removed). */
  live?: LiveFrame[];
}

export interface RawTask {
  id: number;
  running: boolean;
  /** Shadow call stack where the task was created. */
  createdFrame: Frame | null;
  /** Site id where the task was created, when known (0 otherwise). */
  createdSite: number;
}

export interface RawRace {
  kind: RaceKind;
  object: {
    type: 'Map' | 'Set' | 'WeakMap' | 'WeakSet';
    id: number;
    /** The key itself, or undefined when `keySet` is true. */
    key: unknown;
    /** True when the conflicting accesses are to the collection's key set (iteration, size, insert, delete, clear). */
    keySet: boolean;
    /** Site id of the `new` expression that created the collection (0 when unknown). */
    createdSite: number;
    createdFrame: Frame | null;
  };
  current: RawAccess;
  previous: RawAccess;
  interleaved?: RawAccess;
  tasks: RawTask[];
}
