/**
 * A failure inside asyncrace must never break the program: it is reported once
 * on stderr and the program runs on.
 */
let reported = false;

export function internalError(where: string, err: unknown): void {
  if (reported) return;
  reported = true;
  const msg = err instanceof Error ? err.stack ?? err.message : String(err);
  try {
    process.stderr.write(`asyncrace: internal error in ${where} (detection continues where it can): ${msg}\n`);
  } catch {
    // stderr closed: nothing more to do.
  }
}
