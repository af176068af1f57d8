import type * as sarif from 'sarif';
import { describe, expect, it } from 'vitest';
import { raceFingerprint, type LineText } from '../../src/report/fingerprint';
import { buildSarif, serializeSarif } from '../../src/report/sarif';
import type { ReportRace } from '../../src/report/types';
import { cacheRace, dataRace, frame, orderRace } from './fixtures';
import { sarifErrors } from './sarif-schema';

const cwd = '/app';
const lineText: LineText = (file, line) => `line ${line} of ${file}`;
const options = { cwd, toolVersion: '1.2.3', lineText };

function expectValid(log: sarif.Log): void {
  expect(sarifErrors(JSON.parse(serializeSarif(log)))).toEqual([]);
}

/** A race at a file name that needs percent-encoding, with an object key in brackets. */
function requestRace(): ReportRace {
  const race = orderRace();
  return {
    ...race,
    object: { ...race.object, key: '[object Request#12]', keyKind: 'object' },
    current: { ...race.current, frames: [frame('/app/src/my routes#1.ts', 3, 7, '')] },
  };
}

function run(log: sarif.Log): sarif.Run {
  return log.runs[0]!;
}

describe('buildSarif', () => {
  const races = [cacheRace(), orderRace(), dataRace(), requestRace()];
  const log = buildSarif(races, options);
  const results = run(log).results!;

  it('validates against the SARIF 2.1.0 schema, with races and without', () => {
    expectValid(log);
    expectValid(buildSarif([], options));
    expect(run(buildSarif([], options)).results).toEqual([]);
  });

  it('is checked by a validator that rejects what SARIF forbids', () => {
    const broken = JSON.parse(serializeSarif(log)) as sarif.Log;
    run(broken).results![0]!.locations![0]!.physicalLocation!.region!.startLine = 0;
    expect(sarifErrors(broken)).not.toEqual([]);
  });

  it('describes the tool, its three rules in a fixed order, and the source root', () => {
    expect(log.$schema).toBe('https://json.schemastore.org/sarif-2.1.0.json');
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const driver = run(log).tool.driver;
    expect(driver).toMatchObject({ name: 'asyncrace', version: '1.2.3', informationUri: 'https://www.npmjs.com/package/asyncrace' });
    expect(driver.rules!.map((r) => [r.id, r.name, r.defaultConfiguration?.level])).toEqual([
      ['atomicity-violation', 'AtomicityViolation', 'error'],
      ['order-race', 'OrderRace', 'error'],
      ['data-race', 'DataRace', 'warning'],
    ]);
    for (const rule of driver.rules!) {
      expect(rule.properties?.tags).toEqual(['concurrency', 'race']);
      expect(rule.help?.text).toBeTruthy();
    }
    expect(buildSarif([], options).runs[0]!.tool.driver.rules).toEqual(driver.rules);
    expect(run(log).originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///app/' } });
    expect(run(log).columnKind).toBe('utf16CodeUnits');
  });

  it('makes one result per race, with its rule and level', () => {
    expect(results.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['atomicity-violation', 0, 'error'],
      ['order-race', 1, 'error'],
      ['data-race', 2, 'warning'],
      ['order-race', 1, 'error'],
    ]);
  });

  it('puts the current access first and names the others as related locations', () => {
    const [cache] = results;
    expect(cache!.message.text).toBe(
      'Write (set) of key "user:1" on Map#3 by task 9 at src/cache.ts:12:11 races with the previous read (has) by task 9 at src/cache.ts:9:13 and the interleaved write (set) by task 11 at src/cache.ts:12:11.',
    );
    expect(cache!.locations).toEqual([
      {
        physicalLocation: { artifactLocation: { uri: 'src/cache.ts', uriBaseId: '%SRCROOT%' }, region: { startLine: 12, startColumn: 11 } },
        logicalLocations: [{ name: 'getUser', kind: 'function' }],
        message: { text: 'write (set) by task 9' },
      },
    ]);
    expect(cache!.relatedLocations!.map((l) => [l.id, l.message?.text, l.physicalLocation?.region?.startLine])).toEqual([
      [1, 'previous read (has) by task 9', 9],
      [2, 'interleaved write (set) by task 11', 12],
      [3, 'Map#3 created here', 4],
    ]);
  });

  it('adds the explanation to the message', () => {
    expect(results[1]!.message.text).toBe(
      'Read (get) of key "config" on Map#5 by task 4 at src/handler.ts:7:20 races with the previous write (set) by task 2 at src/config.ts:10:5: no await, promise or lock orders these accesses.',
    );
  });

  it('shows the interleaving as one thread flow per task, numbered in execution order', () => {
    const [atomicity, order] = results.map((r) => r.codeFlows![0]!.threadFlows);
    const steps = (flows: sarif.ThreadFlow[]) =>
      flows.map((f) => [f.id, f.locations.map((l) => [l.executionOrder, l.location?.message?.text])]);
    expect(steps(atomicity!)).toEqual([
      ['task 9', [[1, 'task 9 reads key "user:1" (has)'], [3, 'task 9 writes key "user:1" (set)']]],
      ['task 11', [[2, 'task 11 writes key "user:1" (set)']]],
    ]);
    expect(steps(order!)).toEqual([
      ['task 2', [[1, 'task 2 writes key "config" (set)']]],
      ['task 4', [[2, 'task 4 reads key "config" (get)']]],
    ]);
    // The current access of the cache race has two frames: its stack shows both.
    const current = atomicity![0]!.locations[1]!;
    expect(current.stack?.frames.map((f) => f.location?.message?.text)).toEqual([
      'at getUser (src/cache.ts:12:11)',
      'at handler (src/server.ts:20:3)',
    ]);
  });

  it('names files outside the project by absolute URI, and leaves runtime frames without a physical location', () => {
    const data = results[2]!;
    expect(data.locations![0]!.physicalLocation).toEqual({
      artifactLocation: { uri: 'file:///opt/lib/node_modules/pool/index.js' },
      region: { startLine: 40, startColumn: 9 },
    });
    const previous = data.relatedLocations![0]!;
    expect(previous.physicalLocation).toBeUndefined();
    expect(previous.logicalLocations).toEqual([{ name: 'listOnTimeout', kind: 'function' }]);
    expect(previous.message?.text).toBe('previous read (size) by task 7');
    // No creation site: no related location for it.
    expect(data.relatedLocations).toHaveLength(1);
    expect(data.message.text).toContain('of the key set on Set#8');
  });

  it('percent-encodes relative URIs and escapes brackets in messages', () => {
    const request = results[3]!;
    expect(request.locations![0]!.physicalLocation!.artifactLocation).toEqual({ uri: 'src/my%20routes%231.ts', uriBaseId: '%SRCROOT%' });
    expect(request.message.text).toContain('of key \\[object Request#12\\] on Map#5');
  });

  it('fingerprints each race by its sites', () => {
    results.forEach((result, i) => {
      expect(result.partialFingerprints).toEqual({ 'asyncraceSites/v1': raceFingerprint(races[i]!, { cwd, lineText }) });
    });
  });

  it('serializes as indented JSON ending in a newline', () => {
    const text = serializeSarif(log);
    expect(text.endsWith('}\n')).toBe(true);
    expect(text).toContain('\n  "version": "2.1.0",\n');
    expect(JSON.parse(text)).toEqual(log);
  });
});
