/**
 * Publishes a merged report: the text report to `log_path`, the files the
 * command line asked for, and GitHub Actions annotations when running there.
 * Decides which outputs show keys (redact_keys); the formatters only format.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Options } from '../options';
import { formatAnnotations } from '../report/annotations';
import { buildReport, serializeReport } from '../report/json';
import { formatJunit } from '../report/junit';
import { writeLog } from '../report/log';
import { redactRaces } from '../report/redact';
import { buildSarif, serializeSarif } from '../report/sarif';
import { formatReport } from '../report/text';
import type { Report, ReportRace } from '../report/types';
import type { Outputs } from './args';

export interface PublishContext {
  options: Options;
  outputs: Outputs;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

function toolVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '..', '..', 'package.json'), 'utf8')) as { version?: unknown };
    return typeof pkg.version === 'string' ? pkg.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** The races as shown where the report stays with the user (text, JSON, JUnit) and where it is uploaded (SARIF, annotations). */
function viewsOf(races: readonly ReportRace[], redact: Options['redact_keys']): { local: ReportRace[]; uploaded: ReportRace[] } {
  const hidden = redact === false ? [...races] : redactRaces(races);
  return { local: redact === true ? hidden : [...races], uploaded: hidden };
}

/**
 * Writes every output of `report`; returns the messages of the outputs that
 * could not be written (each is also printed). One failing output does not
 * stop the others.
 *
 * @example
 *   publish(merged, { options, outputs: { sarif: 'races.sarif' }, env: process.env, cwd: process.cwd() }) // => []
 */
export function publish(report: Report, ctx: PublishContext): string[] {
  const { options, outputs, cwd } = ctx;
  const { local, uploaded } = viewsOf(report.races, options.redact_keys);
  const omitted = report.omitted ?? 0;
  const problems: string[] = [];
  const attempt = (what: string, write: () => void): void => {
    try {
      write();
    } catch (err) {
      const message = `asyncrace: cannot write ${what}: ${(err as Error).message}`;
      problems.push(message);
      process.stderr.write(`${message}\n`);
    }
  };

  attempt(`the text report to log_path ${options.log_path}`, () => {
    const text = formatReport(local, { cwd, stripPrefix: options.strip_path_prefix }, omitted, report.command);
    const file = writeLog(text, options.log_path);
    if (file !== undefined) process.stderr.write(`asyncrace: ${local.length} race(s) reported in ${file}\n`);
  });
  if (outputs.json !== undefined) {
    const file = outputs.json;
    attempt(`--json ${file}`, () => fs.writeFileSync(file, serializeReport(buildReport(local, omitted, report.command))));
  }
  if (outputs.sarif !== undefined) {
    const file = outputs.sarif;
    attempt(`--sarif ${file}`, () => fs.writeFileSync(file, serializeSarif(buildSarif(uploaded, { cwd, toolVersion: toolVersion() }))));
  }
  if (outputs.junit !== undefined) {
    const file = outputs.junit;
    attempt(`--junit ${file}`, () => fs.writeFileSync(file, formatJunit(local, { cwd, text: { cwd, stripPrefix: options.strip_path_prefix } })));
  }
  // Workflow commands are read from standard output; annotations are public where the repository is,
  // and GitHub reads their paths from the repository's root, which may be above the working directory.
  if (ctx.env.GITHUB_ACTIONS === 'true' && uploaded.length > 0) {
    process.stdout.write(formatAnnotations(uploaded, { cwd: ctx.env.GITHUB_WORKSPACE || cwd }));
  }
  return problems;
}
