/**
 * Where a generated piece of code will run: what it may use and how it may
 * wait, so that every program is valid and deterministic in plain Node.
 */
export interface Ctx {
  /** How many more levels statements may nest (functions, try, loop bodies). */
  depth: number;
  /** Inside an async function (or ESM top level): `await` is allowed. */
  async: boolean;
  /**
   * What an `await` may wait for. `micro`: promises, nextTick and
   * queueMicrotask only, so the code never crosses a macrotask (timers created
   * elsewhere keep their order); `immediate`: setImmediate too (no timer may
   * run in the same unit, since an immediate and a timer race).
   */
  sched: 'micro' | 'immediate';
  /** What `this` holds where the code runs: `obj` has m and s, `store` is a Store (private #m). */
  self: 'none' | 'obj' | 'store';
  /** Inside a method of Store: calling Store's generated methods again could recurse without end. */
  inStore?: boolean;
}

export const ctxKey = (c: Ctx): string => `${c.depth}|${c.async}|${c.sched}|${c.self}|${!!c.inStore}`;

/** The names every unit declares (from `env()` in the prelude). */
export const ENV_NAMES = ['m', 's', 'wm', 'ws', 'sm', 'ss', 'mm', 'fk', 'nf', 'px', 'im', 'h', 'st', 'pm', 'nil', 'un'] as const;

/** The declarations that open every unit and every callback that needs the collections. */
export const ENV_DECL = `const { ${ENV_NAMES.join(', ')} } = env(); let lm = m, ls = s;`;
