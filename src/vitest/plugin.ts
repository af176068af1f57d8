/**
 * The vitest plugin (main side): instruments test files and the sources they
 * import in Vite's transform chain, and adds the setup file that runs the
 * runtime in every worker. Inert unless `ASYNCRACE=1` (see switch.ts).
 */
import path from 'node:path';
import { shouldInstrument } from '../instrument/filter';
import type * as InstrumentModule from '../instrument/instrument';
import { reportInternalError, uninstrumented } from '../register/internal-error';
import { formatOptions, optionsFrom, parseOptions, type Options } from '../options';
import { noteToCli } from '../report/cli-notes';
import { suppressionsOf } from '../report/suppress';
import { REPORT_DIR_ENV } from '../register/settings';
import { isSwitchedOn, SWITCH_ENV } from './switch';

/** Plugin options: the names and values of `ASYNCRACE_OPTIONS`, typed or as text. */
export type AsyncRaceVitestOptions = { [K in keyof Options]?: Options[K] | string };

/** The part of Vite's plugin interface this plugin uses. */
export interface AsyncRaceVitePlugin {
  name: string;
  enforce: 'post';
  apply: 'serve';
  config(config: { test?: Record<string, unknown> }): void;
  transform(this: { getCombinedSourcemap?(): unknown }, code: string, id: string): { code: string; map: object } | null;
}

/** The setup file every worker runs before each test file (setup.mts, compiled beside this one). */
export const SETUP_FILE = path.join(__dirname, 'setup.mjs');

let instrumentFn: typeof InstrumentModule.instrument | undefined;
function instrument(): typeof InstrumentModule.instrument {
  instrumentFn ??= (require('../instrument/instrument') as typeof InstrumentModule).instrument;
  return instrumentFn;
}

function asArray(value: unknown): unknown[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * The asyncrace plugin for vitest. With `ASYNCRACE=1` set, a race fails the
 * test during which it was detected, with the report as its failure message;
 * without it, the plugin does nothing. Options take the names of
 * `ASYNCRACE_OPTIONS`, which overrides them.
 *
 * @example
 *   // vitest.config.ts
 *   import { defineConfig } from 'vitest/config';
 *   import asyncrace from 'asyncrace/vitest';
 *   export default defineConfig({ plugins: [asyncrace({ include: 'src/**' })] });
 *   // ASYNCRACE=1 npx vitest run
 */
export function asyncrace(options: AsyncRaceVitestOptions = {}): AsyncRaceVitePlugin {
  // Checked now, switched on or not: a misspelt option is an error in every run.
  const configured = optionsFrom(options as Record<string, unknown>);
  const on = isSwitchedOn();
  // The environment overrides the config file, as a command line does.
  const resolved = on ? parseOptions(process.env.ASYNCRACE_OPTIONS, configured) : configured;
  // The suppressions file too: a missing or malformed one is an error here, not a silent worker.
  suppressionsOf(resolved);
  const filter = { include: resolved.include, exclude: resolved.exclude };

  return {
    name: 'asyncrace',
    // After the TypeScript and JSX transforms: plain JavaScript with a source map to the original.
    enforce: 'post',
    apply: 'serve',
    config(config) {
      if (!on) return;
      // Under the CLI, which then knows that a vitest run that instrumented nothing has the plugin.
      const reportDir = process.env[REPORT_DIR_ENV];
      if (reportDir) noteToCli('vitest-plugin', reportDir);
      const test = (config.test ??= {});
      // First, so that the runtime is there before any other setup file's instrumented code runs.
      test.setupFiles = [SETUP_FILE, ...asArray(test.setupFiles)];
      const env = (test.env ?? {}) as Record<string, string>;
      test.env = { ...env, [SWITCH_ENV]: '1', ASYNCRACE_OPTIONS: formatOptions(resolved) };
    },
    transform(code, id) {
      if (!on || id.startsWith('\0')) return null;
      const file = id.replace(/[?#].*$/, '');
      if (!path.isAbsolute(file) || !shouldInstrument(file, filter)) return null;
      try {
        const input = this.getCombinedSourcemap?.() as object | undefined;
        const out = instrument()(code, file, { moduleName: file, inputSourceMap: input, bundler: true });
        return out ? { code: out.code, map: out.map } : null;
      } catch (err) {
        // A file that does not parse returns null above; anything thrown is asyncrace's own failure.
        reportInternalError(uninstrumented(file), err);
        return null;
      }
    },
  };
}

export default asyncrace;
