/**
 * What the register entry installs in a thread the program runs in: reads
 * `ASYNCRACE_OPTIONS`, installs the runtime, the CommonJS and ESM hooks that
 * instrument the program's modules, and the report at exit.
 */
import fs from 'node:fs';
import { OptionsError, parseOptions, type Options } from '../options';
import { noteIfVitest } from '../report/cli-notes';
import { suppressionsOf } from '../report/suppress';
import { startDetection } from '../start-detection';
import { keepDetectionInChildren } from './children';
import { installCjsHook } from './cjs-hook';
import { installEsmHooks } from './esm-register';
import { installExitHandling } from './exit';
import { reportInternalError } from './internal-error';
import { threadSettings } from './settings';

function readOptions(text: string | undefined): Options {
  try {
    const options = parseOptions(text);
    // The files options name are checked now too: a bad one stops the run before the program starts.
    suppressionsOf(options);
    return options;
  } catch (err) {
    if (!(err instanceof OptionsError)) throw err;
    // Before the program runs, like a bad command-line flag.
    fs.writeSync(2, `${err.message} (in ASYNCRACE_OPTIONS)\n`);
    process.exit(2);
  }
}

/** Installs detection in this thread; `entry` is the register module's file, which children preload. */
export function install(entry: string): void {
  const settings = threadSettings();
  const options = readOptions(settings.options);
  try {
    startDetection(options, settings.reportDir);
  } catch (err) {
    // Without a runtime, instrumented code could not run: the program runs
    // undetected rather than not at all.
    reportInternalError('installing the runtime (the program runs undetected)', err);
    return;
  }
  installExitHandling(options, settings.reportDir, settings.raceFlag);
  if (settings.reportDir) {
    // Tells the CLI when this is vitest, whose tests only its plugin instruments.
    noteIfVitest(settings.reportDir);
    // Under the CLI: children started with an environment of their own are watched too.
    try {
      keepDetectionInChildren({ register: entry, reportDir: settings.reportDir, options: settings.options });
    } catch (err) {
      reportInternalError('following child processes (children with their own environment run undetected)', err);
    }
  }
  installCjsHook(options);
  installEsmHooks(options);
}
