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

type Prepare = NonNullable<typeof Error.prepareStackTrace>;

let hostMapsStacks = false;

/**
 * Takes frame positions from the stack formatter the host installed
 * (`Error.prepareStackTrace`) rather than from V8's call sites. A test runner
 * that transforms modules after asyncrace (vitest rewrites imports) maps its
 * stacks through its own combined source maps; asyncrace's map ends one step
 * short of that code.
 *
 * @example
 *   useHostStackPositions(); // in a vitest worker
 */
export function useHostStackPositions(): void {
  hostMapsStacks = true;
}

// "    at fn (file:line:col)" or "    at file:line:col"
const FRAME_LINE = /^\s*at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** The host's text of each call site, one line per site, or undefined when it cannot be matched up. */
function hostLines(prepare: Prepare | undefined, holder: object, sites: NodeJS.CallSite[]): (RegExpExecArray | null)[] | undefined {
  if (!hostMapsStacks || typeof prepare !== 'function') return undefined;
  const text: unknown = prepare(holder as Error, sites);
  if (typeof text !== 'string') return undefined;
  const lines = text.split('\n').filter((l) => /^\s+at /.test(l));
  if (lines.length !== sites.length) return undefined;
  return lines.map((l) => FRAME_LINE.exec(l));
}

/** The current stack as frames of user code (positions of the code V8 ran, or the host's original ones). */
export function captureLive(limit = 40): LiveFrame[] {
  const savedPrepare = Error.prepareStackTrace;
  const savedLimit = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit + 20;
    Error.prepareStackTrace = (_err, sites) => sites;
    const holder: { stack?: NodeJS.CallSite[] } = {};
    Error.captureStackTrace(holder);
    const sites = holder.stack ?? [];
    let host: (RegExpExecArray | null)[] | undefined;
    try {
      host = hostLines(savedPrepare, holder, sites);
    } catch {
      host = undefined;
    }
    const out: LiveFrame[] = [];
    for (let i = 0; i < sites.length; i++) {
      const s = sites[i]!;
      const file = s.getFileName() ?? s.getScriptNameOrSourceURL?.() ?? '';
      if (!file || isOwn(file)) continue;
      const fn = s.getFunctionName() ?? s.getMethodName() ?? '';
      const h = host?.[i];
      if (h && h[1] === file) {
        out.push({ file, line: Number(h[2]), column: Number(h[3]), function: fn, original: true });
      } else {
        out.push({ file, line: s.getLineNumber() ?? 0, column: s.getColumnNumber() ?? 0, function: fn });
      }
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
