import { describe, expect, it } from 'vitest';
import { formatAnnotations } from '../../src/report/annotations';
import type { ReportRace } from '../../src/report/types';
import { cacheRace, dataRace, frame, orderRace } from './fixtures';

const cwd = '/app';

describe('formatAnnotations', () => {
  it('makes one error command per race at its access site, the other accesses on lines of their own', () => {
    expect(formatAnnotations([cacheRace(), orderRace()], { cwd })).toBe(
      '::error file=src/cache.ts,line=12,col=11,title=asyncrace%3A atomicity violation on Map#3::' +
        'write (set) of key "user:1" on Map#3 by task 9 at src/cache.ts:12:11' +
        '%0Aprevious read (has) by task 9 at src/cache.ts:9:13' +
        '%0Ainterleaved write (set) by task 11 at src/cache.ts:12:11\n' +
        '::error file=src/handler.ts,line=7,col=20,title=asyncrace%3A order race on Map#5::' +
        'read (get) of key "config" on Map#5 by task 4 at src/handler.ts:7:20: no await, promise or lock orders these accesses' +
        '%0Aprevious write (set) by task 2 at src/config.ts:10:5\n',
    );
  });

  it('shows a redacted key as it is', () => {
    const race = cacheRace();
    const redacted: ReportRace = { ...race, object: { ...race.object, key: 'redacted:fc2d378decd1', redacted: true } };
    expect(formatAnnotations([redacted], { cwd })).toContain('::write (set) of key redacted:fc2d378decd1 on Map#3 by task 9');
  });

  it('makes nothing of no race', () => {
    expect(formatAnnotations([], { cwd })).toBe('');
  });

  it('warns of data races, without a file outside the project', () => {
    expect(formatAnnotations([dataRace()], { cwd })).toBe(
      '::warning title=asyncrace%3A data race on Set#8::' +
        'write (add) of the key set on Set#8 by task 6 at /opt/lib/node_modules/pool/index.js:40:9' +
        '%0Aprevious read (size) by task 7 at node:internal/timers:581:17\n',
    );
  });

  it('leaves out the file of a runtime frame', () => {
    const race = orderRace();
    const runtime: ReportRace = { ...race, current: { ...race.current, frames: [frame('node:events', 517, 28, 'emit')] } };
    expect(formatAnnotations([runtime], { cwd })).toMatch(/^::error title=asyncrace%3A order race on Map#5::read \(get\) of key "config" on Map#5 by task 4 at node:events:517:28/);
  });

  it("escapes '%', CR and LF in the message, and also ':' and ',' in properties", () => {
    const race = cacheRace();
    const odd: ReportRace = {
      ...race,
      object: { ...race.object, key: 'a,b:c', keyKind: 'object' },
      current: { ...race.current, frames: [frame('/app/src/a,b:c%d.ts', 12, 11, 'getUser')] },
      explanation: '100% sure\r\nreally',
    };
    const [command] = formatAnnotations([odd], { cwd }).split('\n');
    expect(command).toBe(
      '::error file=src/a%2Cb%3Ac%25d.ts,line=12,col=11,title=asyncrace%3A atomicity violation on Map#3::' +
        'write (set) of key a,b:c on Map#3 by task 9 at src/a,b:c%25d.ts:12:11: 100%25 sure%0D%0Areally' +
        '%0Aprevious read (has) by task 9 at src/cache.ts:9:13' +
        '%0Ainterleaved write (set) by task 11 at src/cache.ts:12:11',
    );
  });
});
