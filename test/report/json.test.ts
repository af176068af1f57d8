import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildReport, mergeReports, parseRaceLines, parseReport, readReport, ReportFormatError, serializeRaceLine, serializeReport, writeReport } from '../../src/report/json';
import { raceSignature } from '../../src/report/signature';
import type { ReportRace } from '../../src/report/types';
import { cacheRace, frame } from './fixtures';

function swapped(race: ReportRace): ReportRace {
  return { ...race, kind: 'order-race', current: race.previous, previous: race.current };
}

describe('JSON report', () => {
  it('round-trips through a file', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-json-'));
    try {
      const file = path.join(dir, 'r.json');
      writeReport(file, buildReport([cacheRace()]));
      expect(readReport(file)).toEqual({ version: 1, races: [cacheRace()] });
      writeReport(file, buildReport([]));
      expect(fs.readFileSync(file, 'utf8')).toBe(serializeReport({ version: 1, races: [] }));
      expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, races: [] });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects what is not a version 1 report', () => {
    expect(() => parseReport('{')).toThrow(ReportFormatError);
    expect(() => parseReport('{"version":2,"races":[]}')).toThrow('version 1');
    expect(() => parseReport('{"version":1}')).toThrow('races');
    expect(() => parseReport('{"version":1,"races":[{"kind":"order-race"}]}')).toThrow('race 0');
    // A race that lacks what the formatters read: a frame without its file, no creation stack.
    const noFile = cacheRace() as unknown as { current: { frames: Record<string, unknown>[] } };
    delete noFile.current.frames[0]!.file;
    expect(() => parseReport(JSON.stringify({ version: 1, races: [noFile] }))).toThrow('race 0 is not a race');
    const noCreation = cacheRace() as unknown as { object: Record<string, unknown> };
    delete noCreation.object.createdAt;
    expect(() => parseReport(JSON.stringify({ version: 1, races: [cacheRace(), noCreation] }))).toThrow('race 1 is not a race');
  });

  it("keeps a frame's mapped original, and rejects a malformed one", () => {
    const race = cacheRace();
    race.current.frames[0] = { ...race.current.frames[0]!, mapped: { file: '/app/node_modules/pkg/src/index.ts', line: 40, column: 3 } };
    expect(parseReport(serializeReport(buildReport([race]))).races[0]).toEqual(race);
    const bad = JSON.parse(JSON.stringify(race)) as { current: { frames: Array<Record<string, unknown>> } };
    bad.current.frames[0]!.mapped = { file: 'x.ts', line: '40' };
    expect(() => parseReport(JSON.stringify({ version: 1, races: [bad] }))).toThrow('race 0 is not a race');
  });

  it('reads and checks how the command ended, and reads reports without it', () => {
    const failed = buildReport([cacheRace()], 0, { exitCode: 1, signal: null });
    expect(parseReport(serializeReport(failed))).toEqual(failed);
    const killed = buildReport([], 0, { exitCode: null, signal: 'SIGTERM' });
    expect(parseReport(serializeReport(killed))).toEqual({ version: 1, command: { exitCode: null, signal: 'SIGTERM' }, races: [] });
    // A signal left out reads as none.
    expect(parseReport('{"version":1,"command":{"exitCode":3},"races":[]}').command).toEqual({ exitCode: 3, signal: null });
    expect(parseReport('{"version":1,"races":[]}')).toEqual({ version: 1, races: [] });
    for (const bad of ['"x"', '{}', '{"exitCode":"1"}', '{"exitCode":1.5}', '{"exitCode":null,"signal":null}', '{"exitCode":0,"signal":9}']) {
      expect(() => parseReport(`{"version":1,"command":${bad},"races":[]}`), bad).toThrow('command is not');
    }
  });

  it('reads a process\'s race stream, leaving out a last line its end cut off', () => {
    const a = cacheRace();
    const b = { ...cacheRace(), kind: 'order-race' as const };
    const whole = serializeRaceLine(a) + serializeRaceLine(b);
    expect(parseRaceLines('')).toEqual({ version: 1, races: [] });
    expect(parseRaceLines(whole)).toEqual({ version: 1, races: [a, b] });
    expect(parseRaceLines(whole + serializeRaceLine(a).slice(0, 40))).toEqual({ version: 1, races: [a, b] });
    expect(() => parseRaceLines('{"kind":\n' + whole)).toThrow(ReportFormatError);
  });
});

describe('mergeReports', () => {
  it('keeps the first race of each access-site pair, in either order', () => {
    const a = cacheRace();
    const other = cacheRace();
    other.current.frames = [frame('/app/src/other.ts', 1, 1, 'f')];
    const merged = mergeReports([
      { version: 1, races: [a] },
      { version: 1, races: [swapped(cacheRace()), other] },
      { version: 1, races: [] },
    ]);
    expect(merged.version).toBe(1);
    expect(merged.races).toEqual([a, other]);
  });

  it('tells sites apart by column and treats file: URLs as their paths', () => {
    const a = cacheRace();
    const b = cacheRace();
    b.current.frames = [{ ...b.current.frames[0]!, column: 12 }];
    expect(mergeReports([{ version: 1, races: [a, b] }]).races).toHaveLength(2);
    const c = cacheRace();
    c.current.frames = [{ ...c.current.frames[0]!, file: 'file:///app/src/cache.ts' }];
    expect(raceSignature(c)).toBe(raceSignature(a));
  });

  it('keeps the command when every report records the same one, else leaves it out', () => {
    const failed = { exitCode: 1, signal: null };
    const a = buildReport([cacheRace()], 0, failed);
    const b = buildReport([], 0, { ...failed });
    expect(mergeReports([a]).command).toEqual(failed);
    expect(mergeReports([a, b]).command).toEqual(failed);
    expect(mergeReports([a, buildReport([], 0, { exitCode: 0, signal: null })]).command).toBeUndefined();
    expect(mergeReports([a, buildReport([], 0, { exitCode: null, signal: 'SIGTERM' })]).command).toBeUndefined();
    // A report from before the field: nothing says how its command ended.
    expect(mergeReports([a, buildReport([])]).command).toBeUndefined();
    expect(mergeReports([buildReport([]), a]).command).toBeUndefined();
  });

  it('merges nothing into an empty report', () => {
    expect(mergeReports([])).toEqual({ version: 1, races: [] });
  });

  it('keeps at most maxReports races and adds up what each report and the limit left out', () => {
    const a = cacheRace();
    const b = cacheRace();
    b.current.frames = [{ ...b.current.frames[0]!, line: 40 }];
    const c = cacheRace();
    c.current.frames = [{ ...c.current.frames[0]!, line: 50 }];
    const merged = mergeReports([{ version: 1, races: [a, b], omitted: 4 }, { version: 1, races: [a, c] }], 2);
    expect(merged).toEqual({ version: 1, races: [a, b], omitted: 5 });
    expect(parseReport(JSON.stringify(merged))).toEqual(merged);
  });
});
