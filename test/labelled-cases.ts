/**
 * Labelled cases in the shared corpus format (test/cases/README.md): each
 * program is run through the real `asyncrace` CLI with a JSON report, and the
 * report is held against the label. The same rules as the shared checker
 * (`npm run corpus`), so that the suite needs nothing outside the repository.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Report, ReportFrame, ReportRace } from '../src/report/types';

const ROOT = path.resolve(__dirname, '..');
const BIN = path.join(ROOT, 'bin', 'asyncrace.js');
const CASE_EXT = /\.(js|cjs|mjs|ts|mts|cts|jsx|tsx)$/;

export interface LabelledCase {
  name: string;
  /** The file run (a folder case's `main.*`). */
  entry: string;
  /** The folder of a folder case, whose every file may carry marks. */
  folder: string | null;
}

interface Header {
  expect: 'race' | 'none';
  run: string;
  options: string;
  expectAt: string;
}

interface Mark {
  file: string;
  line: number;
}

/** The cases in `dir`: files, and folders with a `main.*` entry. */
export function listCases(dir: string): LabelledCase[] {
  const out: LabelledCase[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const full = path.join(dir, name);
    if (fs.statSync(full).isDirectory()) {
      const main = fs.readdirSync(full).find((f) => /^main\./.test(f) && CASE_EXT.test(f));
      if (main) out.push({ name, entry: path.join(full, main), folder: full });
    } else if (CASE_EXT.test(name)) out.push({ name: name.replace(CASE_EXT, ''), entry: full, folder: null });
  }
  return out;
}

function header(entry: string): Header {
  const h: Record<string, string> = {};
  for (const line of fs.readFileSync(entry, 'utf8').split('\n').slice(0, 30)) {
    const m = /^\s*\/\/\s*(expect|run|options|expect-at|why):\s*(.*)$/.exec(line);
    if (m) h[m[1]!] = (h[m[1]!] ? h[m[1]!] + ' ' : '') + m[2]!.trim();
  }
  if (h.expect !== 'race' && h.expect !== 'none') throw new Error(`${entry}: header needs "// expect: race" or "// expect: none"`);
  return { expect: h.expect, run: h.run ?? 'node {file}', options: h.options ?? '', expectAt: h['expect-at'] ?? '' };
}

/** Lines with a trailing `// RACE` in any file of the case, and those `// expect-at:` names. */
function marks(kase: LabelledCase, h: Header): Mark[] {
  const files = kase.folder
    ? (fs.readdirSync(kase.folder, { recursive: true }) as string[]).map((f) => path.join(kase.folder!, f)).filter((f) => CASE_EXT.test(f))
    : [kase.entry];
  const out: Mark[] = [];
  for (const file of files) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((text, i) => {
        if (/\/\/.*\bRACE\b/.test(text)) out.push({ file: path.resolve(file), line: i + 1 });
      });
  }
  for (const part of h.expectAt.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [suffix, lines] = part.split(':');
    for (const l of lines!.split(',')) out.push({ file: suffix!, line: Number(l) });
  }
  return out;
}

function atMark(frame: ReportFrame | undefined, list: readonly Mark[]): boolean {
  if (!frame) return false;
  const file = path.resolve(frame.file.startsWith('file://') ? fileURLToPath(frame.file) : frame.file);
  return list.some((m) => frame.line === m.line && (file === m.file || file.endsWith(path.sep + m.file) || file.endsWith(m.file)));
}

function describeRace(race: ReportRace): string {
  const at = (frames: ReportFrame[]): string => (frames[0] ? `${path.basename(frames[0].file)}:${frames[0].line}` : '?');
  return `${race.kind} key ${JSON.stringify(race.object.key)}: ${race.current.op} ${at(race.current.frames)} vs ${race.previous.op} ${at(race.previous.frames)}`;
}

/** What running a case gave, and why it fails its label (`''`: it passes). */
export interface CaseResult {
  failure: string;
  races: ReportRace[];
  stderr: string;
}

/**
 * Runs one case through the CLI and checks its label: a racy case passes when
 * some race has both first frames on marked lines and the CLI exits 66; a
 * race-free one when no race is reported and the CLI exits 0.
 */
export async function runCase(kase: LabelledCase): Promise<CaseResult> {
  const h = header(kase.entry);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-case-'));
  const json = path.join(tmp, 'report.json');
  const command = h.run.split(' ').filter(Boolean).map((w) => (w === 'node' ? process.execPath : w.replace('{file}', kase.entry)));
  const env: NodeJS.ProcessEnv = { ...process.env, ASYNCRACE_OPTIONS: h.options };
  delete env.NODE_OPTIONS;
  try {
    const { status, stderr } = await new Promise<{ status: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, '--json', json, '--', ...command], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
      child.on('error', reject);
      child.on('close', (code) => resolve({ status: code, stderr: err }));
    });
    let report: Report;
    try {
      report = JSON.parse(fs.readFileSync(json, 'utf8')) as Report;
    } catch (err) {
      return { failure: `no readable JSON report (${(err as Error).message}); exit ${status}`, races: [], stderr };
    }
    const races = report.races;
    let failure = '';
    if (h.expect === 'none') {
      if (races.length) failure = `${races.length} race(s) reported on a race-free program, first: ${describeRace(races[0]!)}`;
      else if (status !== 0) failure = `no race, but exit code ${status} (want 0)`;
    } else {
      const list = marks(kase, h);
      const hit = races.some((r) => atMark(r.current.frames[0], list) && atMark(r.previous.frames[0], list));
      if (!list.length) failure = 'case has no "// RACE" marks';
      else if (!hit) failure = races.length ? `${races.length} race(s), none at the marked lines; first: ${describeRace(races[0]!)}` : 'no race reported';
      else if (status !== 66) failure = `race found but exit code ${status} (want 66)`;
    }
    return { failure, races, stderr };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
