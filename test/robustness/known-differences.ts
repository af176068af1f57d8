/**
 * Differences between plain and instrumented runs that the fuzzer accepts:
 * none today. A rule would accept one pair of lines (plain, instrumented) at
 * the same place in both outputs, or drop one kind of instrumented stack
 * frame, and nothing else, for a difference that is Node's own and cannot be
 * fixed; the fuzzer counts each rule's hits, and `--strict` turns them off.
 */
export interface KnownDifference {
  id: string;
  why: string;
  /** Accepts a differing pair of lines (`output`: the whole plain output they come from). */
  pair?: (plain: string, instrumented: string, output: string) => boolean;
  /** Drops a line of the instrumented stderr. */
  drop?: (line: string) => boolean;
}

export const KNOWN: KnownDifference[] = [];
