/**
 * What a process tells the asyncrace CLI besides its races: empty files in
 * the CLI's report directory, each written at most once per thread, at the
 * moment it becomes true, so that a process killed later (by a signal, a
 * worker by terminate()) has told it already.
 *
 * - `instrumented`: an instrumented module started in this thread (it
 *   registered with the runtime, start-detection.ts). Wherever it was
 *   instrumented (the CommonJS hook, the ESM hook in this thread or in Node
 *   20's hooks thread, the transform cache of an earlier run, the vitest
 *   plugin in vitest's main process, a Babel build), the code runs, and
 *   registers, where detection happens.
 * - `vitest`: this is vitest's command (`vitest run`), whose test files
 *   only the vitest plugin instruments.
 * - `vitest-plugin`: the vitest plugin is in the vitest config.
 *
 * The CLI reads them at the end of the run, to say when nothing could be
 * checked and why (cli/notices.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isMainThread, threadId } from 'node:worker_threads';

export type CliNote = 'instrumented' | 'vitest' | 'vitest-plugin';

/** The extension of the note files. */
export const NOTE_FILE_EXTENSION = '.note';

// Plain fields, no collection: this runs as the program's modules load, and the program may patch builtins.
const written: Record<CliNote, boolean> = { instrumented: false, vitest: false, 'vitest-plugin': false };

/**
 * Writes `note` into the CLI's report directory `dir`, once per thread.
 * Never throws: a note that cannot be written costs the CLI a hint, nothing
 * else.
 *
 * @example
 *   noteToCli('instrumented', reportDir); // creates <reportDir>/<pid>-<threadId>.instrumented.note, the first time
 */
export function noteToCli(note: CliNote, dir: string): void {
  if (written[note]) return;
  written[note] = true;
  try {
    fs.writeFileSync(path.join(dir, `${process.pid}-${threadId}.${note}${NOTE_FILE_EXTENSION}`), '');
  } catch {
    // The CLI's directory is gone or unwritable: the race report says so when it fails too.
  }
}

/**
 * Whether the main module `entry` (`process.argv[1]`) is vitest's command:
 * `node_modules/vitest/vitest.mjs`, or the `.bin/vitest` that runs it.
 *
 * @example
 *   isVitestCommand('/app/node_modules/.bin/vitest')       // => true
 *   isVitestCommand('/app/node_modules/vitest/vitest.mjs') // => true
 *   isVitestCommand('/app/vitest.config.mjs')              // => false
 */
export function isVitestCommand(entry: string | undefined): boolean {
  return entry !== undefined && /(^|[\\/])vitest(\.mjs)?$/.test(entry);
}

/**
 * Notes `vitest` when this process is vitest's command (its main thread).
 *
 * @example
 *   noteIfVitest(reportDir) // in `vitest run`: writes the vitest note
 */
export function noteIfVitest(dir: string): void {
  if (isMainThread && isVitestCommand(process.argv[1])) noteToCli('vitest', dir);
}

/** How many threads wrote each note. */
export type CliNotes = Record<CliNote, number>;

/**
 * Counts the notes in the CLI's report directory.
 *
 * @example
 *   readCliNotes(dir) // => { instrumented: 3, vitest: 1, 'vitest-plugin': 1 }
 */
export function readCliNotes(dir: string): CliNotes {
  const notes: CliNotes = { instrumented: 0, vitest: 0, 'vitest-plugin': 0 };
  for (const name of fs.readdirSync(dir)) {
    if (!name.endsWith(NOTE_FILE_EXTENSION)) continue;
    const note = name.slice(0, -NOTE_FILE_EXTENSION.length).split('.').pop();
    if (note === 'instrumented' || note === 'vitest' || note === 'vitest-plugin') notes[note] += 1;
  }
  return notes;
}
