import { describe, expect, it } from 'vitest';
import { formatJunit } from '../../src/report/junit';
import { formatRace } from '../../src/report/text';
import type { ReportRace } from '../../src/report/types';
import { cacheRace, dataRace, frame, orderRace } from './fixtures';

const cwd = '/app';

// Characters XML 1.0 forbids (as in the formatter, checked independently of it here).
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

function unescapeXml(text: string): string {
  return text.replace(/&(lt|gt|quot|apos|#\d+|amp);/g, (_, e: string) =>
    e.startsWith('#') ? String.fromCharCode(Number(e.slice(1))) : { lt: '<', gt: '>', quot: '"', apos: "'", amp: '&' }[e]!,
  );
}

function failureBodies(xml: string): string[] {
  return [...xml.matchAll(/<failure [^>]*>([^<]*)<\/failure>/g)].map((m) => unescapeXml(m[1]!));
}

describe('formatJunit', () => {
  it('makes one suite with one failed test case per race', () => {
    const xml = formatJunit([cacheRace(), orderRace()], { cwd });
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="asyncrace" tests="2" failures="2">\n')).toBe(true);
    expect(xml).toContain('\n  <testsuite name="asyncrace" tests="2" failures="2" errors="0" skipped="0">\n');
    expect(xml).toContain(
      '\n    <testcase name="atomicity violation on Map#3 key &quot;user:1&quot; at src/cache.ts:12:11" classname="src/cache.ts" file="src/cache.ts" line="12">\n' +
        '      <failure message="atomicity violation on Map#3 key &quot;user:1&quot; at src/cache.ts:12:11" type="atomicity-violation">==================\n',
    );
    expect(xml).toContain(
      '\n    <testcase name="order race on Map#5 key &quot;config&quot; at src/handler.ts:7:20" classname="src/handler.ts" file="src/handler.ts" line="7">\n' +
        '      <failure message="order race on Map#5 key &quot;config&quot; at src/handler.ts:7:20: no await, promise or lock orders these accesses" type="order-race">',
    );
    expect(xml.endsWith('==================\n</failure>\n    </testcase>\n  </testsuite>\n</testsuites>\n')).toBe(true);
    expect(xml.match(/<testcase /g)).toHaveLength(2);
  });

  it('has the text report of each race as the failure body', () => {
    const races = [cacheRace(), orderRace()];
    expect(failureBodies(formatJunit(races, { cwd }))).toEqual(races.map((race) => formatRace(race, { cwd })));
  });

  it('passes the text options to the failure bodies', () => {
    expect(failureBodies(formatJunit([cacheRace()], { cwd, text: { cwd: '/' } }))[0]).toContain('at getUser (app/src/cache.ts:12:11)');
  });

  it('makes an empty suite when there is no race', () => {
    expect(formatJunit([], { cwd })).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<testsuites name="asyncrace" tests="0" failures="0">',
        '  <testsuite name="asyncrace" tests="0" failures="0" errors="0" skipped="0"/>',
        '</testsuites>',
        '',
      ].join('\n'),
    );
  });

  it('adds a timestamp only when given one', () => {
    expect(formatJunit([cacheRace()], { cwd })).not.toContain('timestamp');
    expect(formatJunit([], { cwd, timestamp: '2024-05-01T10:00:00' })).toContain(
      '<testsuite name="asyncrace" tests="0" failures="0" errors="0" skipped="0" timestamp="2024-05-01T10:00:00"/>',
    );
  });

  it('escapes markup and replaces characters XML does not allow', () => {
    const race: ReportRace = {
      ...cacheRace(),
      object: { ...cacheRace().object, key: `<a&"b'>\u0000\u001b`, keyKind: 'object' },
      explanation: 'line one\nline two\ttab \uD800',
    };
    const xml = formatJunit([race], { cwd });
    expect(xml).not.toMatch(NOT_XML);
    expect(xml).toContain('name="atomicity violation on Map#3 key &lt;a&amp;&quot;b&apos;&gt;\uFFFD\uFFFD at src/cache.ts:12:11"');
    expect(xml).toContain('&#10;line two&#9;tab \uFFFD" type="atomicity-violation">');
    expect(xml).toContain(`Previous read of key &lt;a&amp;"b'&gt;\uFFFD\uFFFD on Map#3 by task 9:`);
    expect(failureBodies(xml)[0]).toBe(formatRace(race, { cwd }).replace(/[\u0000\u001b\uD800]/g, '\uFFFD'));
  });

  it('names sites outside the project by absolute path, and leaves out the file of a runtime frame', () => {
    const outside = formatJunit([dataRace()], { cwd });
    expect(outside).toContain(
      '<testcase name="data race on Set#8 the key set at /opt/lib/node_modules/pool/index.js:40:9" classname="/opt/lib/node_modules/pool/index.js" file="/opt/lib/node_modules/pool/index.js" line="40">',
    );
    const race = dataRace();
    const runtime: ReportRace = { ...race, current: { ...race.current, frames: [frame('node:events', 517, 28, 'emit')] } };
    expect(formatJunit([runtime], { cwd })).toContain('<testcase name="data race on Set#8 the key set at node:events:517:28" classname="asyncrace">');
  });
});
