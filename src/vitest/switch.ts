/**
 * When the vitest integration is on: `ASYNCRACE=1` in the environment, or a
 * run under the `asyncrace` CLI (vitest rejects flags it does not know, so the
 * switch is the environment).
 */
import { REPORT_DIR_ENV } from '../register/settings';

/** The environment variable that switches detection on in a vitest run. */
export const SWITCH_ENV = 'ASYNCRACE';

/**
 * Whether detection is on for this vitest run.
 *
 * @example
 *   isSwitchedOn({ ASYNCRACE: '1' }) // => true
 *   isSwitchedOn({})                 // => false
 */
export function isSwitchedOn(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env[SWITCH_ENV];
  if (value === '1' || value === 'true') return true;
  return Boolean(env[REPORT_DIR_ENV]);
}
