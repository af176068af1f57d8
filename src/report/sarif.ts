/**
 * The SARIF 2.1.0 report (`--sarif FILE`), for code scanning services and
 * SARIF viewers. Formatting only: it shows exactly the races it is given.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as sarif from 'sarif';
import { raceFingerprint, sourceLineReader, type LineText } from './fingerprint';
import { displayPath, isSourceFile, pathUnder, toPath } from './paths';
import { keyPhrase } from './words';
import type { ReportAccess, ReportFrame, ReportRace } from './types';

export interface SarifOptions {
  /** The project root: files under it are named relative to `%SRCROOT%`. */
  cwd: string;
  /** asyncrace's version, for `tool.driver.version`. */
  toolVersion: string;
  /** Source line reader for the fingerprints. Default: one `sourceLineReader()` for the whole log. */
  lineText?: LineText;
}

const SRCROOT = '%SRCROOT%';
const TAGS = ['concurrency', 'race'];

// All three rules always, in this order, so that a kind's ruleIndex never changes.
const RULES: sarif.ReportingDescriptor[] = [
  {
    id: 'atomicity-violation',
    name: 'AtomicityViolation',
    shortDescription: { text: 'A check and an act on a collection key are split by an await' },
    fullDescription: {
      text: 'A task reads a key of a Map, Set, WeakMap or WeakSet, awaits, and acts on the key again; another task can change the key in between, so the second access works on a stale check.',
    },
    help: {
      text: 'Make the check and the act one step: get-or-create (store the promise in the collection in the same step as the check, then await it), re-check after the await, or hold a lock across it.',
    },
    defaultConfiguration: { level: 'error' },
    properties: { tags: TAGS },
  },
  {
    id: 'order-race',
    name: 'OrderRace',
    shortDescription: { text: 'Accesses to a collection key that nothing orders' },
    fullDescription: {
      text: 'Two tasks access the same key of a Map, Set, WeakMap or WeakSet, at least one of them writing, and no await, promise or lock orders them: the outcome depends on which runs first.',
    },
    help: {
      text: 'Order the accesses: store the promise of the task that writes and await it before reading, or hold a lock around both.',
    },
    defaultConfiguration: { level: 'error' },
    properties: { tags: TAGS },
  },
  {
    id: 'data-race',
    name: 'DataRace',
    shortDescription: { text: 'Unordered accesses to a collection key (strict mode)' },
    fullDescription: {
      text: 'Two tasks access the same key of a Map, Set, WeakMap or WeakSet without a happens-before relation, at least one of them writing. Strict mode reports these; they are harmless when each access is atomic and the updates commute.',
    },
    help: {
      text: 'When the order matters, order the accesses with an await, a promise or a lock; when it does not, suppress the report.',
    },
    defaultConfiguration: { level: 'warning' },
    properties: { tags: TAGS },
  },
];

// Plain-text SARIF messages give `[text](id)` the meaning of a link; literal brackets are escaped.
function message(text: string): sarif.Message {
  return { text: text.replace(/[\\[\]]/g, '\\$&') };
}

function artifactLocation(file: string, cwd: string): sarif.ArtifactLocation | undefined {
  const p = toPath(file);
  if (!isSourceFile(p)) return undefined;
  const rel = pathUnder(p, cwd);
  if (rel === undefined) return { uri: pathToFileURL(path.resolve(cwd, p)).href };
  // A relative URI reference: each path segment percent-encoded (spaces, '#', '%', ':').
  return { uri: rel.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function location(frame: ReportFrame | undefined, cwd: string, text: string, id?: number): sarif.Location {
  const loc: sarif.Location = id === undefined ? {} : { id };
  const artifact = frame && artifactLocation(frame.file, cwd);
  if (frame && artifact) {
    // SARIF lines and columns start at 1, as report frames do; 0 stands for unknown.
    const region: sarif.Region = { startLine: frame.line };
    if (frame.column >= 1) region.startColumn = frame.column;
    loc.physicalLocation = frame.line >= 1 ? { artifactLocation: artifact, region } : { artifactLocation: artifact };
  }
  if (frame?.function) loc.logicalLocations = [{ name: frame.function, kind: 'function' }];
  loc.message = message(text);
  return loc;
}

function at(frame: ReportFrame | undefined, cwd: string): string {
  return frame ? `${displayPath(toPath(frame.file), cwd)}:${frame.line}:${frame.column}` : 'an unknown location';
}

function doing(access: ReportAccess): string {
  return `${access.op} (${access.method}) by task ${access.task}`;
}

function capitalised(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

function resultMessage(race: ReportRace, cwd: string): sarif.Message {
  const { current, previous, interleaved, object } = race;
  const what = `${capitalised(current.op)} (${current.method}) of ${keyPhrase(race.object)} on ${object.type}#${object.id}`;
  const head = `${what} by task ${current.task} at ${at(current.frames[0], cwd)}`;
  const others = [`the previous ${doing(previous)} at ${at(previous.frames[0], cwd)}`];
  if (interleaved) others.push(`the interleaved ${doing(interleaved)} at ${at(interleaved.frames[0], cwd)}`);
  const why = race.explanation ? `: ${race.explanation}` : '';
  return message(`${head} races with ${others.join(' and ')}${why}.`);
}

function stack(access: ReportAccess, cwd: string): sarif.Stack {
  // Worded as the text report words a frame.
  const text = (f: ReportFrame) => (f.function ? `at ${f.function} (${at(f, cwd)})` : `at ${at(f, cwd)}`);
  return { frames: access.frames.map((f) => ({ location: location(f, cwd, text(f)) })) };
}

/** One thread flow per task, each access numbered in the order the tasks interleave. */
function codeFlow(race: ReportRace, cwd: string): sarif.CodeFlow {
  const order = race.interleaved ? [race.previous, race.interleaved, race.current] : [race.previous, race.current];
  const byTask = new Map<number, sarif.ThreadFlowLocation[]>();
  order.forEach((access, i) => {
    const verb = access.op === 'write' ? 'writes' : 'reads';
    const step: sarif.ThreadFlowLocation = {
      location: location(access.frames[0], cwd, `task ${access.task} ${verb} ${keyPhrase(race.object)} (${access.method})`),
      executionOrder: i + 1,
    };
    if (access.frames.length > 1) step.stack = stack(access, cwd);
    byTask.set(access.task, [...(byTask.get(access.task) ?? []), step]);
  });
  return {
    threadFlows: [...byTask].map(([task, locations]) => ({ id: `task ${task}`, message: message(`task ${task}`), locations })),
  };
}

function result(race: ReportRace, cwd: string, lineText: LineText): sarif.Result {
  const ruleIndex = RULES.findIndex((rule) => rule.id === race.kind);
  const rule = RULES[ruleIndex];
  const { current, previous, interleaved, object } = race;
  const related = [location(previous.frames[0], cwd, `previous ${doing(previous)}`, 1)];
  if (interleaved) related.push(location(interleaved.frames[0], cwd, `interleaved ${doing(interleaved)}`, related.length + 1));
  if (object.createdAt[0]) related.push(location(object.createdAt[0], cwd, `${object.type}#${object.id} created here`, related.length + 1));
  return {
    ruleId: race.kind,
    // A kind from a newer report has no rule here: no index, and a warning.
    ...(rule ? { ruleIndex } : {}),
    level: rule?.defaultConfiguration?.level ?? 'warning',
    message: resultMessage(race, cwd),
    locations: [location(current.frames[0], cwd, doing(current))],
    relatedLocations: related,
    codeFlows: [codeFlow(race, cwd)],
    partialFingerprints: { 'asyncraceSites/v1': raceFingerprint(race, { cwd, lineText }) },
  };
}

/**
 * A SARIF 2.1.0 log of the given races: one run, one result per race.
 *
 * @example
 *   buildSarif([race], { cwd: '/app', toolVersion: '0.1.0' }).runs[0].results[0].ruleId // => 'atomicity-violation'
 *   buildSarif([], { cwd: '/app', toolVersion: '0.1.0' }).runs[0].results               // => []
 */
export function buildSarif(races: readonly ReportRace[], options: SarifOptions): sarif.Log {
  const { cwd, toolVersion } = options;
  const lineText = options.lineText ?? sourceLineReader();
  const root = pathToFileURL(cwd).href;
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'asyncrace', version: toolVersion, informationUri: 'https://www.npmjs.com/package/asyncrace', rules: RULES },
        },
        // A base URI must end in '/' for relative URIs to resolve under it.
        originalUriBaseIds: { [SRCROOT]: { uri: root.endsWith('/') ? root : `${root}/` } },
        // V8 counts columns in UTF-16 code units.
        columnKind: 'utf16CodeUnits',
        results: races.map((race) => result(race, cwd, lineText)),
      },
    ],
  };
}

/**
 * The log as JSON text (indented, newline-terminated).
 *
 * @example
 *   serializeSarif(buildSarif([], { cwd: '/app', toolVersion: '0.1.0' })) // => '{\n  "$schema": ...}\n'
 */
export function serializeSarif(log: sarif.Log): string {
  return JSON.stringify(log, null, 2) + '\n';
}
