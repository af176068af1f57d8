/**
 * Where text reports go: the `log_path` option (`stderr`, `stdout`, or a file,
 * appended to). Synchronous, so that it works in process 'exit' handlers.
 */
import fs from 'node:fs';

/**
 * Writes report text to `logPath`.
 *
 * @example
 *   writeLog('asyncrace: found 1 race(s)\n', 'stderr')
 *   writeLog(text, '/tmp/races.log') // appends
 */
export function writeLog(text: string, logPath: string): void {
  if (text === '') return;
  if (logPath === 'stderr') process.stderr.write(text);
  else if (logPath === 'stdout') process.stdout.write(text);
  else fs.appendFileSync(logPath, text);
}
