import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { raceFingerprint, sourceLineReader, type LineText } from '../../src/report/fingerprint';
import type { ReportAccess, ReportRace } from '../../src/report/types';
import { cacheRace, dataRace, frame } from './fixtures';

// The sources of cacheRace(), by path relative to the project root.
const SOURCES: Record<string, string[]> = {
  'src/cache.ts': [
    "import { load } from './db';",
    '',
    '// One entry per user.',
    'const cache = new Map<string, User>();',
    '',
    'export async function getUser(id: string) {',
    '  const key = `user:${id}`;',
    '',
    '  if (!cache.has(key)) {',
    '    const user = await load(id);',
    '',
    '    cache.set(key, user);',
    '  }',
    '  return cache.get(key);',
    '}',
  ],
};

/** A reader of SOURCES as if the project were checked out at `root`. */
function linesUnder(root: string, sources = SOURCES): LineText {
  return (file, line) => sources[path.relative(root, file).split(path.sep).join('/')]?.[line - 1];
}

function mapFiles(race: ReportRace, map: (file: string) => string, line: (n: number) => number = (n) => n): ReportRace {
  const frames = (access: ReportAccess): ReportAccess => ({
    ...access,
    frames: access.frames.map((f) => ({ ...f, file: map(f.file), line: line(f.line) })),
  });
  return {
    ...race,
    object: { ...race.object, createdAt: race.object.createdAt.map((f) => ({ ...f, file: map(f.file) })) },
    current: frames(race.current),
    previous: frames(race.previous),
    ...(race.interleaved ? { interleaved: frames(race.interleaved) } : {}),
  };
}

function fingerprint(race: ReportRace, root = '/app', sources = SOURCES): string {
  return raceFingerprint(race, { cwd: root, lineText: linesUnder(root, sources) });
}

describe('raceFingerprint', () => {
  it('is a hex sha256', () => {
    expect(fingerprint(cacheRace())).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is the same for the same sources checked out elsewhere', () => {
    const root = '/home/ci/work/app';
    const moved = mapFiles(cacheRace(), (file) => file.replace(/^\/app\//, `${root}/`));
    expect(fingerprint(moved, root)).toBe(fingerprint(cacheRace()));
  });

  it('is the same for a package installed elsewhere, outside the project', () => {
    const elsewhere = mapFiles(dataRace(), (file) => file.replace('/opt/lib/', '/usr/local/lib/'));
    expect(fingerprint(elsewhere)).toBe(fingerprint(dataRace()));
  });

  it('changes with the file of an access', () => {
    const renamed = mapFiles(cacheRace(), (file) => file.replace('/src/', '/lib/'));
    const sources = { 'lib/cache.ts': SOURCES['src/cache.ts']! };
    expect(fingerprint(renamed, '/app', sources)).not.toBe(fingerprint(cacheRace()));
  });

  it('does not depend on the order of the current and previous accesses', () => {
    const race = cacheRace();
    const swapped: ReportRace = { ...race, current: race.previous, previous: race.current };
    expect(fingerprint(swapped)).toBe(fingerprint(race));
  });

  it('changes with the text of an access line', () => {
    const edited = { ...SOURCES, 'src/cache.ts': SOURCES['src/cache.ts']!.map((l, i) => (i === 8 ? '  if (!cache.has(id)) {' : l)) };
    expect(fingerprint(cacheRace(), '/app', edited)).not.toBe(fingerprint(cacheRace()));
  });

  it('ignores whitespace changes in an access line', () => {
    const reindented = { ...SOURCES, 'src/cache.ts': SOURCES['src/cache.ts']!.map((l, i) => (i === 8 ? '\tif  (!cache.has(key))  { ' : l)) };
    expect(fingerprint(cacheRace(), '/app', reindented)).toBe(fingerprint(cacheRace()));
  });

  it('keeps its value when lines are inserted above the accesses', () => {
    const inserted = { ...SOURCES, 'src/cache.ts': ['// A new first line.', ...SOURCES['src/cache.ts']!] };
    const shifted = mapFiles(cacheRace(), (file) => file, (n) => n + 1);
    expect(fingerprint(shifted, '/app', inserted)).toBe(fingerprint(cacheRace()));
  });

  it('falls back to line numbers when the source cannot be read', () => {
    const shifted = mapFiles(cacheRace(), (file) => file, (n) => n + 1);
    expect(fingerprint(shifted, '/app', {})).not.toBe(fingerprint(cacheRace(), '/app', {}));
  });

  it('ignores keys, object ids, task ids and columns', () => {
    const race = cacheRace();
    const other: ReportRace = {
      ...race,
      object: { ...race.object, id: 42, key: '<redacted>' },
      current: { ...race.current, task: 90, frames: race.current.frames.map((f) => ({ ...f, column: f.column + 4 })) },
      previous: { ...race.previous, task: 90 },
      interleaved: { ...race.interleaved!, task: 110 },
      tasks: [],
    };
    expect(fingerprint(other)).toBe(fingerprint(race));
  });

  it('changes with the kind and the method, not with the interleaved access or the operation', () => {
    const race = cacheRace();
    const base = fingerprint(race);
    expect(fingerprint({ ...race, kind: 'data-race' })).not.toBe(base);
    expect(fingerprint({ ...race, previous: { ...race.previous, method: 'get' } })).not.toBe(base);
    // Whichever other task came in between this run, and a delete that found nothing (a read).
    const { interleaved: _, ...withoutInterleaved } = race;
    expect(fingerprint(withoutInterleaved)).toBe(base);
    const other = { ...race.interleaved!, frames: [frame('/app/src/other.ts', 3, 1, 'evict')] };
    expect(fingerprint({ ...race, interleaved: other })).toBe(base);
    expect(fingerprint({ ...race, current: { ...race.current, op: 'read' } })).toBe(base);
  });
});

describe('sourceLineReader', () => {
  it('reads lines of a file (1-based) and undefined for what it cannot read', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-fingerprint-'));
    try {
      const file = path.join(dir, 'a.ts');
      fs.writeFileSync(file, 'first\r\nsecond\n');
      const lineText = sourceLineReader();
      expect(lineText(file, 1)).toBe('first');
      expect(lineText(file, 2)).toBe('second');
      expect(lineText(file, 9)).toBeUndefined();
      expect(lineText(path.join(dir, 'missing.ts'), 1)).toBeUndefined();
      // Read once: later changes to the file are not seen by the same reader.
      fs.writeFileSync(file, 'changed\n');
      expect(lineText(file, 1)).toBe('first');
      expect(sourceLineReader()(file, 1)).toBe('changed');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
