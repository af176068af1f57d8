/**
 * The line the CLI prints when the command ran Node but no instrumented code
 * ran in any of its processes: a run that detected nothing says so, and what
 * to change, instead of passing as race-free.
 */
import type { CliNotes } from '../report/cli-notes';

const VITEST_WITHOUT_PLUGIN = "vitest ran without the asyncrace plugin: add plugins: [asyncrace()] from 'asyncrace/vitest' to the vitest config";
const VITEST_WITH_PLUGIN = 'check the include and exclude options of the asyncrace vitest plugin and of ASYNCRACE_OPTIONS';
const OTHER =
  'check the include and exclude options in ASYNCRACE_OPTIONS; node_modules is left out unless include names it, ' +
  'and files that a tool such as jest loads itself are not instrumented';

/**
 * The warning for a run whose Node processes ran no instrumented code, or
 * undefined when some ran (or a race, which only instrumented code finds,
 * was reported).
 *
 * @example
 *   nothingInstrumentedNotice({ instrumented: 0, vitest: 1, 'vitest-plugin': 0 }, 0)
 *   // => "asyncrace: warning: no file was instrumented in any Node process, so no race could be found (vitest ran without ...)\n"
 *   nothingInstrumentedNotice({ instrumented: 2, vitest: 0, 'vitest-plugin': 0 }, 0) // => undefined
 */
export function nothingInstrumentedNotice(notes: CliNotes, races: number): string | undefined {
  if (notes.instrumented > 0 || races > 0) return undefined;
  const fix = notes['vitest-plugin'] > 0 ? VITEST_WITH_PLUGIN : notes.vitest > 0 ? VITEST_WITHOUT_PLUGIN : OTHER;
  return `asyncrace: warning: no file was instrumented in any Node process, so no race could be found (${fix})\n`;
}
