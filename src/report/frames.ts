/**
 * Stack frames of a report, in the original source: the access site, the live
 * V8 stack of the current access, and the shadow call stack of everything else.
 * Every frame names a file that opens: where a module's source map points to a
 * file not on disk, the frame is in the module's own file, the mapped original
 * kept beside it. And how a stack is shown: repeated frames as one, counted.
 */
import path from 'node:path';
import type { Frame } from '../runtime/api';
import type { LiveFrame } from '../runtime/race';
import { siteInfo, siteModule } from '../runtime/sites';
import { toPath } from './paths';
import { generatedPosition, isInstrumented, onDisk, originalPosition, type OriginalPosition } from './source-maps';
import type { ReportFrame } from './types';

// asyncrace's own code (this package's src/ or dist/): never shown in a stack.
const OWN_ROOT = path.resolve(__dirname, '..') + path.sep;

// Deep recursion makes long shadow chains; the innermost frames are the useful ones.
const MAX_SHADOW_FRAMES = 64;

/**
 * The frame of a site id: its original location and enclosing function, or
 * undefined for an unknown id.
 *
 * @example
 *   siteFrame(base + 3) // => { file: '/app/src/cache.ts', line: 12, column: 11, function: 'getUser' }
 */
export function siteFrame(site: number): ReportFrame | undefined {
  if (!site) return undefined;
  const info = siteInfo(site);
  if (!info) return undefined;
  const module = siteModule(site);
  return openable({ file: toPath(info.file), line: info.line, column: info.column }, info.function, module);
}

/**
 * The frame of an original position of the code of `module`: that position
 * when its file is on disk (or there is no module file to go to); else the
 * position in the module's own file, with the original as `mapped`.
 *
 * @example
 *   // the package ships dist/index.js and its map, not src/index.ts
 *   openable({ file: '/app/node_modules/pkg/src/index.ts', line: 40, column: 3 }, 'connect', '/app/node_modules/pkg/dist/index.js')
 *   // => { file: '/app/node_modules/pkg/dist/index.js', line: 31, column: 5, function: 'connect',
 *   //      mapped: { file: '/app/node_modules/pkg/src/index.ts', line: 40, column: 3 } }
 */
function openable(pos: OriginalPosition, fn: string, module: string | undefined): ReportFrame {
  const frame: ReportFrame = { file: pos.file, line: pos.line, column: pos.column, function: fn };
  if (module === undefined || toPath(module) === pos.file || !path.isAbsolute(pos.file) || onDisk(pos.file)) return frame;
  const gen = generatedPosition(module, pos);
  if (!gen) return frame;
  return { file: gen.file, line: gen.line, column: gen.column, function: fn, mapped: { file: pos.file, line: pos.line, column: pos.column } };
}

/**
 * The live stack of an access below its site, in the original source.
 *
 * The leading frames up to and including the first instrumented one are the
 * access site itself (already `frames[0]`), so they are dropped. Instrumented
 * frames are mapped through their module's source map; other frames are kept
 * as they are (file: URLs as paths) except Node's internals and asyncrace's own.
 *
 * @example
 *   liveFrames([{ file: '/app/dist/cache.js', line: 40, column: 7, function: 'getUser' },
 *               { file: '/app/dist/server.js', line: 9, column: 3, function: 'handle' }])
 *   // => [{ file: '/app/src/server.ts', line: 20, column: 3, function: 'handle' }]
 */
export function liveFrames(live: readonly LiveFrame[]): ReportFrame[] {
  const site = live.findIndex((f) => isInstrumented(f.file));
  const out: ReportFrame[] = [];
  for (const f of live.slice(site + 1)) {
    if (f.file.startsWith('node:internal')) continue;
    if (f.original) {
      out.push({ file: toPath(f.file), line: f.line, column: f.column, function: f.function });
      continue;
    }
    const pos = originalPosition(f.file, f.line, f.column);
    if (pos) {
      out.push(openable(pos, f.function, f.file));
      continue;
    }
    const file = toPath(f.file);
    if (file.startsWith(OWN_ROOT)) continue;
    out.push({ file, line: f.line, column: f.column, function: f.function });
  }
  return out;
}

/**
 * The shadow call stack from `frame` outwards: each cell's function, at its
 * definition. When `below` is given (the frame of a site inside the innermost
 * function), a first cell that is that same function is skipped: `below` shows
 * it already, at the more precise location.
 *
 * @example
 *   shadowFrames(cell, siteFrame(accessSite))
 *   // => [{ file: '/app/src/server.ts', line: 18, column: 1, function: 'handle' }, ...]
 */
export function shadowFrames(frame: Frame | null, below?: ReportFrame): ReportFrame[] {
  const out: ReportFrame[] = [];
  let first = true;
  for (let cell = frame; cell && out.length < MAX_SHADOW_FRAMES; cell = cell.parent) {
    const f = siteFrame(cell.site);
    const encloses = first && below !== undefined && f !== undefined && f.file === below.file && f.function === below.function;
    first = false;
    if (f && !encloses) out.push(f);
  }
  return out;
}

/**
 * A full stack: the site's frame, then the shadow call stack around it.
 *
 * @example
 *   siteStack(createdSite, createdFrame) // => [site frame, enclosing callers...]
 */
export function siteStack(site: number, frame: Frame | null): ReportFrame[] {
  const top = siteFrame(site);
  return top ? [top, ...shadowFrames(frame, top)] : shadowFrames(frame);
}

/** A frame and how many times in a row a stack has it. */
export interface FrameRun {
  frame: ReportFrame;
  count: number;
}

function sameFrame(a: ReportFrame, b: ReportFrame): boolean {
  const m = a.mapped;
  const n = b.mapped;
  const sameMapped = m === undefined || n === undefined ? m === n : m.file === n.file && m.line === n.line && m.column === n.column;
  return a.file === b.file && a.line === b.line && a.column === b.column && a.function === b.function && sameMapped;
}

/**
 * A stack as it is shown to people: consecutive identical frames (recursion,
 * a retry loop of callbacks) as one frame with their count. The stack itself
 * (JSON, SARIF) keeps every frame.
 *
 * @example
 *   frameRuns([f, f, f, g]) // => [{ frame: f, count: 3 }, { frame: g, count: 1 }]
 */
export function frameRuns(frames: readonly ReportFrame[]): FrameRun[] {
  const runs: FrameRun[] = [];
  for (const frame of frames) {
    const last = runs[runs.length - 1];
    if (last && sameFrame(last.frame, frame)) last.count += 1;
    else runs.push({ frame, count: 1 });
  }
  return runs;
}
