/** The JSON report, version 1 (DESIGN.md section 4). */
import type { RaceKind } from '../runtime/race';

export type { RaceKind };

/** A position in a file: `line` and `column` are 1-based. */
export interface ReportPosition {
  file: string;
  line: number;
  column: number;
}

/**
 * One stack frame in the original source. `line` and `column` are 1-based.
 * Where the source map of the code that ran names a file that is not on disk
 * (a package that ships its JavaScript and maps but not its TypeScript), the
 * frame is in that code, a file that opens, and `mapped` is where its map points.
 */
export interface ReportFrame extends ReportPosition {
  function: string;
  /** The original position the source map gives, when its file is not on disk (optional). */
  mapped?: ReportPosition;
}

/** The type of a key before it was rendered as text (`typeof`, with `null` apart and functions as `object`). */
export type KeyKind = 'string' | 'number' | 'bigint' | 'boolean' | 'undefined' | 'null' | 'symbol' | 'object';

export interface ReportAccess {
  op: 'read' | 'write';
  /** The operation: `get`, `set`, `has`, `delete`, `clear`, `add`, `iterate`, `size`, `forEach`, `keys`, ... */
  method: string;
  task: number;
  /** `frames[0]` is the access site in user code. */
  frames: ReportFrame[];
}

export interface ReportTask {
  id: number;
  state: 'running' | 'finished';
  createdAt: ReportFrame[];
}

export interface ReportRace {
  kind: RaceKind;
  object: {
    type: 'Map' | 'Set' | 'WeakMap' | 'WeakSet';
    id: number;
    /** The key as text; an object key as `[object Request#12]`; the key set as `(keys)`. */
    key: string;
    /** What `key` was, so text can quote string keys only. Optional: absent in reports from elsewhere. */
    keyKind?: KeyKind;
    /** True when the accesses are to the key set (`key` is then `(keys)`). */
    keySet?: boolean;
    /** True when `key` is a hash of the key (the redact_keys option), not the key. */
    redacted?: boolean;
    createdAt: ReportFrame[];
  };
  current: ReportAccess;
  previous: ReportAccess;
  /** Present for atomicity violations: the other task's access that can fall between `previous` and `current`. */
  interleaved?: ReportAccess;
  tasks: ReportTask[];
  /** Why the accesses race, in one line (optional, for people; absent in reports from elsewhere). */
  explanation?: string;
  /** Atomicity violation: when the task came back to the key, e.g. `after the await` (optional). */
  resumed?: string;
  /** A one-line fix suggestion (optional). */
  hint?: string;
}

/** How the command that the CLI ran ended, as Node's child_process tells it. */
export interface ReportCommand {
  /** Its exit code; null when a signal killed it. */
  exitCode: number | null;
  /** The signal that killed it (`SIGTERM`); null when it exited. */
  signal: string | null;
}

export interface Report {
  version: 1;
  /** Under the CLI: how the command ended (absent in reports from before, and when merged reports disagree). */
  command?: ReportCommand;
  races: ReportRace[];
  /** How many further races were found but not recorded, because of the max_reports option (absent: none). */
  omitted?: number;
}
