/**
 * The JUnit XML report, for CI services that show failed tests from it: one
 * failed test case per race, the text report as the failure's body.
 * Formatting only: it shows exactly the races it is given.
 */
import path from 'node:path';
import { displayPath, isSourceFile, toPath } from './paths';
import { keyPhrase, kindText } from './words';
import { formatRace, type TextOptions } from './text';
import type { ReportFrame, ReportRace } from './types';

export interface JunitOptions {
  /** Paths under this directory are shown relative to it. */
  cwd: string;
  /** Options of the failure bodies (`formatRace`); `cwd` by default. */
  text?: TextOptions;
  /** The suite's `timestamp` attribute; absent by default, so that the output depends on the races only. */
  timestamp?: string;
}

// Characters XML 1.0 does not allow at all, not even as character references (NUL, most C0 controls, lone surrogates).
const NOT_XML = /[^\t\n\r\x20-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
  // In attributes, so that XML parsers do not turn them into spaces.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function xmlText(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>]/g, (c) => ENTITIES[c] ?? c);
}

function xmlAttribute(text: string): string {
  return text.replace(NOT_XML, '\uFFFD').replace(/[&<>"'\t\n\r]/g, (c) => ENTITIES[c] ?? c);
}

function attributes(attrs: Record<string, string | number | undefined>): string {
  return Object.entries(attrs)
    .filter(([, value]) => value !== undefined)
    .map(([name, value]) => ` ${name}="${xmlAttribute(String(value))}"`)
    .join('');
}

/** The site's file as shown: relative to `cwd` with '/' separators, or absolute outside it; undefined when not a file. */
function sourcePath(frame: ReportFrame | undefined, cwd: string): string | undefined {
  const file = frame && toPath(frame.file);
  return file && isSourceFile(file) ? displayPath(file, cwd).split(path.sep).join('/') : undefined;
}

function testcase(race: ReportRace, options: JunitOptions): string {
  const { cwd } = options;
  const site = race.current.frames[0];
  const file = sourcePath(site, cwd);
  const at = site ? ` at ${file ?? toPath(site.file)}:${site.line}:${site.column}` : '';
  const name = `${kindText(race.kind)} on ${race.object.type}#${race.object.id} ${keyPhrase(race.object)}${at}`;
  const message = race.explanation ? `${name}: ${race.explanation}` : name;
  const body = formatRace(race, { ...options.text, cwd: options.text?.cwd ?? cwd });
  return [
    `    <testcase${attributes({ name, classname: file ?? 'asyncrace', file, line: file ? site?.line : undefined })}>`,
    `      <failure${attributes({ message, type: race.kind })}>${xmlText(body)}</failure>`,
    '    </testcase>',
  ].join('\n');
}

/**
 * The races as a JUnit XML document: one suite, one failed test case per race.
 *
 * @example
 *   formatJunit([race], { cwd: '/app' })
 *   // <?xml version="1.0" encoding="UTF-8"?>
 *   // <testsuites name="asyncrace" tests="1" failures="1">
 *   //   <testsuite name="asyncrace" tests="1" failures="1" errors="0" skipped="0">
 *   //     <testcase name="atomicity violation on Map#3 key &quot;user:1&quot; at src/cache.ts:12:11" classname="src/cache.ts" file="src/cache.ts" line="12">
 *   //       <failure message="..." type="atomicity-violation">==================
 *   // ...
 */
export function formatJunit(races: readonly ReportRace[], options: JunitOptions): string {
  const n = races.length;
  const suite = attributes({ name: 'asyncrace', tests: n, failures: n, errors: 0, skipped: 0, timestamp: options.timestamp });
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>', `<testsuites${attributes({ name: 'asyncrace', tests: n, failures: n })}>`];
  if (n === 0) {
    lines.push(`  <testsuite${suite}/>`);
  } else {
    lines.push(`  <testsuite${suite}>`, ...races.map((race) => testcase(race, options)), '  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
