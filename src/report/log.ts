/**
 * Where text reports go: the `log_path` option (`stderr`, `stdout`, or a path
 * to which each process appends its pid, as Go does). Synchronous, so that it
 * works in process 'exit' handlers.
 */
import fs from 'node:fs';

/**
 * The file that `log_path` names for this process, or undefined for the
 * standard streams.
 *
 * @example
 *   logFile('/tmp/races.log') // => '/tmp/races.log.4242' (in process 4242)
 *   logFile('stderr')         // => undefined
 */
export function logFile(logPath: string, pid: number = process.pid): string | undefined {
  return logPath === 'stderr' || logPath === 'stdout' ? undefined : `${logPath}.${pid}`;
}

/**
 * Writes report text to `logPath`; returns the file written, if any.
 *
 * @example
 *   writeLog('asyncrace: found 1 race(s)\n', 'stderr')
 *   writeLog(text, '/tmp/races.log') // appends to /tmp/races.log.<pid>
 */
export function writeLog(text: string, logPath: string): string | undefined {
  if (text === '') return undefined;
  if (logPath === 'stderr') process.stderr.write(text);
  else if (logPath === 'stdout') process.stdout.write(text);
  const file = logFile(logPath);
  if (file !== undefined) fs.appendFileSync(file, text);
  return file;
}
