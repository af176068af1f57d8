/**
 * The live V8 stack, captured only when a race is reported (never per access),
 * with asyncrace's own frames removed.
 */
import path from 'node:path';
import type { LiveFrame } from './race';

/** asyncrace's own compiled files live under this directory. */
const ownDir = path.resolve(__dirname, '..');

function isOwn(file: string): boolean {
  const p = file.startsWith('file://') ? decodeURIComponent(new URL(file).pathname) : file;
  return p.startsWith(ownDir + path.sep);
}

/** The current stack as frames of user code (positions of the code V8 ran). */
export function captureLive(limit = 40): LiveFrame[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit + 20;
    Error.prepareStackTrace = (_err, sites) => sites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder);
    const sites = holder.stack ?? [];
    const out: LiveFrame[] = [];
    for (const s of sites) {
      const file = s.getFileName() ?? s.getScriptNameOrSourceURL?.() ?? '';
      if (!file || isOwn(file)) continue;
      out.push({
        file,
        line: s.getLineNumber() ?? 0,
        column: s.getColumnNumber() ?? 0,
        function: s.getFunctionName() ?? s.getMethodName() ?? '',
      });
      if (out.length >= limit) break;
    }
    return out;
  } catch {
    return [];
  } finally {
    Error.prepareStackTrace = savedPrepare;
    Error.stackTraceLimit = savedLimit;
  }
}
