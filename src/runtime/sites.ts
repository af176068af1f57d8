/**
 * Registry of instrumented files and their sites (static access locations).
 * Sites are plain numbers at run time; their locations are looked up only when
 * a race is reported.
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import { decodeSite, SITE, type FileMeta, type SiteTuple } from './api';
import { SafeMap } from './safe-collections';

export interface SiteInfo {
  /** Method name, `size`, `iterate`, `new`, `function` or a check (api.ts Site). */
  what: string;
  /** Original source file (absolute path). */
  file: string;
  line: number;
  column: number;
  function: string;
}

interface FileEntry {
  meta: FileMeta;
  base: number;
}

const files: FileEntry[] = [];
const byModule = new SafeMap<string, FileEntry>();
let nextBase = 1;

/** Registers an instrumented module's site table; returns the base of its site ids. */
export function registerFile(meta: FileMeta): number {
  const entry: FileEntry = { meta, base: nextBase };
  nextBase += meta.sites.length + 1;
  files[files.length] = entry;
  // V8 names a module by path (CommonJS) or by file: URL (ESM, stripped TypeScript): know it by both.
  byModule.set(meta.file, entry);
  const other = otherName(meta.file);
  if (other) byModule.set(other, entry);
  return entry.base;
}

function entryOf(site: number): FileEntry | undefined {
  // Bases ascend in registration order: binary search.
  let lo = 0;
  let hi = files.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const f = files[mid]!;
    if (site < f.base) hi = mid - 1;
    else if (site >= f.base + f.meta.sites.length) lo = mid + 1;
    else return f;
  }
  return undefined;
}

function otherName(file: string): string | undefined {
  try {
    if (file.startsWith('file:')) return fileURLToPath(file);
    if (file.startsWith('/')) return pathToFileURL(file).href;
  } catch {
    // Not a path or URL we can convert: one name is enough.
  }
  return undefined;
}

/** The tuple of a site id, or undefined for an unknown id: the fields are read through SITE's indices. */
export function siteTuple(site: number): SiteTuple | undefined {
  const entry = entryOf(site);
  return entry?.meta.sites[site - entry.base];
}

/** Location and kind of a site id, or undefined for an unknown id. */
export function siteInfo(site: number): SiteInfo | undefined {
  const entry = entryOf(site);
  const tuple = entry?.meta.sites[site - entry.base];
  if (!entry || !tuple) return undefined;
  const s = decodeSite(tuple);
  return { what: s.what, file: entry.meta.sources[s.sourceIndex] ?? entry.meta.file, line: s.line, column: s.column, function: s.functionName };
}

/** The module (as V8 names it) whose site table holds a site id, or undefined for an unknown id. */
export function siteModule(site: number): string | undefined {
  return entryOf(site)?.meta.file;
}

/** V8's "is not a function" TypeError message for the call at a call site, e.g. `this.cache.get is not a function`. */
export function notFunctionMessage(site: number): string {
  const t = siteTuple(site);
  return t?.[SITE.message] ?? `(intermediate value).${t?.[SITE.what] ?? 'method'} is not a function`;
}

/** Whether the arguments of the call at `site` can suspend (await, yield) between the choice of the function that makes it and the call. */
export function argsSuspend(site: number): boolean {
  return siteTuple(site)?.[SITE.argsSuspend] === 1;
}

/** Whether `site` is on the line after an `asyncrace-ignore-next-line` comment (races through it are not reported). */
export function siteIgnored(site: number): boolean {
  return siteTuple(site)?.[SITE.ignored] === 1;
}

/** The registered metadata of an instrumented module, by the name V8 gives it in stack frames. */
export function moduleMeta(file: string): FileMeta | undefined {
  return byModule.get(file)?.meta;
}
