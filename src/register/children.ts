/**
 * Under the CLI, detection reaches every child process and worker thread
 * through the environment it inherits (NODE_OPTIONS, the report directory,
 * the options). A program can start one with an environment of its own
 * (`spawn(cmd, args, { env: { PATH } })`, `new Worker(file, { env: {} })`) or
 * drop NODE_OPTIONS from its own; such a child gets those three variables
 * back, and nothing else changes.
 *
 * Every asynchronous start (spawn, fork, exec, execFile, and their promisified
 * forms) goes through `ChildProcess.prototype.spawn`, with the environment
 * already flattened into `envPairs`; the synchronous ones are wrapped where
 * the module exports them. A Worker given an `env` object reads NODE_OPTIONS
 * from it, so `Worker` is replaced by a subclass that restores them.
 */
import childProcess, { ChildProcess } from 'node:child_process';
import { syncBuiltinESMExports } from 'node:module';
import workerThreads from 'node:worker_threads';
import { REPORT_DIR_ENV } from './settings';
import { nodeOptionsWith, preloads } from './node-options';

export interface ChildDetection {
  /** The register module every Node process preloads. */
  register: string;
  reportDir: string;
  /** The ASYNCRACE_OPTIONS text, if any. */
  options: string | undefined;
}

/** The variables to set in an environment read through `get`; empty when it has them all. */
function missing(get: (name: string) => string | undefined, d: ChildDetection): Map<string, string> {
  const out = new Map<string, string>();
  if (!get(REPORT_DIR_ENV)) out.set(REPORT_DIR_ENV, d.reportDir);
  if (d.options !== undefined && get('ASYNCRACE_OPTIONS') === undefined) out.set('ASYNCRACE_OPTIONS', d.options);
  const nodeOptions = get('NODE_OPTIONS');
  if (!preloads(nodeOptions, d.register)) out.set('NODE_OPTIONS', nodeOptionsWith(nodeOptions, d.register));
  return out;
}

/**
 * `envPairs` (`NAME=value` strings) with the detection variables restored.
 *
 * @example
 *   withDetectionPairs(['PATH=/bin'], d)
 *   // => ['PATH=/bin', 'ASYNCRACE_REPORT_DIR=/tmp/asyncrace-x', 'NODE_OPTIONS=--require /a/register.js']
 */
export function withDetectionPairs(pairs: readonly string[], d: ChildDetection): string[] {
  const value = (name: string): string | undefined => {
    const pair = pairs.find((p) => p.startsWith(`${name}=`));
    return pair === undefined ? undefined : pair.slice(name.length + 1);
  };
  const add = missing(value, d);
  if (add.size === 0) return [...pairs];
  return [...pairs.filter((p) => !add.has(p.slice(0, p.indexOf('=')))), ...[...add].map(([k, v]) => `${k}=${v}`)];
}

/**
 * An environment object with the detection variables restored (a copy), or
 * the same object when it has them.
 *
 * @example
 *   withDetectionEnv({ PATH: '/bin' }, d) // => { PATH: '/bin', ASYNCRACE_REPORT_DIR: ..., NODE_OPTIONS: ... }
 */
export function withDetectionEnv(env: NodeJS.ProcessEnv, d: ChildDetection): NodeJS.ProcessEnv {
  const add = missing((name) => env[name], d);
  return add.size === 0 ? env : { ...env, ...Object.fromEntries(add) };
}

type SyncStart = (...args: unknown[]) => unknown;

function isOptions(x: unknown): x is { env?: NodeJS.ProcessEnv } {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Where a synchronous start takes its options: `execSync(command, options)`, and `spawnSync`/`execFileSync(file, args, options)` where `args` may be left out (or null) as Node allows. */
type OptionsAt = (args: readonly unknown[]) => number;
const afterCommand: OptionsAt = () => 1;
const afterArguments: OptionsAt = (args) => (Array.isArray(args[1]) || args[1] === undefined || args[1] === null ? 2 : 1);

/** The arguments with the options' environment restored; the same array when there is nothing to restore. */
function syncArguments(args: unknown[], at: number, d: ChildDetection): unknown[] {
  const given = args[at];
  if (given !== undefined && given !== null && !isOptions(given)) return args;
  const options = isOptions(given) ? given : {};
  const env = options.env ?? process.env;
  const fixed = withDetectionEnv(env, d);
  if (fixed === env) return args;
  const out = [...args];
  // Node reads a left-out `args` (undefined) as no arguments.
  while (out.length < at) out[out.length] = undefined;
  out[at] = { ...options, env: fixed };
  return out;
}

function wrapSync(original: SyncStart, optionsAt: OptionsAt, d: ChildDetection): SyncStart {
  const wrapped = function (this: unknown, ...args: unknown[]): unknown {
    return Reflect.apply(original, this, syncArguments(args, optionsAt(args), d));
  };
  Object.defineProperties(wrapped, Object.getOwnPropertyDescriptors(original));
  return wrapped;
}

type WorkerClass = typeof workerThreads.Worker;

function workerWithDetection(Original: WorkerClass, d: ChildDetection): WorkerClass {
  // SHARE_ENV (a symbol) and an absent env share or copy this thread's environment, which has the variables.
  const fix = (options: unknown): unknown =>
    isOptions(options) && isOptions(options.env) ? { ...options, env: withDetectionEnv(options.env, d) } : options;
  return class Worker extends Original {
    constructor(filename: string | URL, options?: workerThreads.WorkerOptions) {
      super(filename, fix(options) as workerThreads.WorkerOptions | undefined);
    }
  };
}

let installed = false;

/**
 * Makes every child process started from now on inherit detection.
 *
 * @example
 *   keepDetectionInChildren({ register: __filename, reportDir, options: process.env.ASYNCRACE_OPTIONS });
 */
export function keepDetectionInChildren(d: ChildDetection): void {
  if (installed) return;
  installed = true;
  const proto = ChildProcess.prototype as unknown as { spawn: (options: { envPairs?: string[] }) => unknown };
  const spawn = proto.spawn;
  proto.spawn = function (this: unknown, options: { envPairs?: string[] }) {
    if (isOptions(options) && Array.isArray(options.envPairs)) {
      options.envPairs = withDetectionPairs(options.envPairs, d);
    }
    return Reflect.apply(spawn, this, [options]);
  };
  const module = childProcess as unknown as Record<string, SyncStart>;
  module.spawnSync = wrapSync(module.spawnSync!, afterArguments, d);
  module.execFileSync = wrapSync(module.execFileSync!, afterArguments, d);
  module.execSync = wrapSync(module.execSync!, afterCommand, d);
  workerThreads.Worker = workerWithDetection(workerThreads.Worker, d);
  // `import { execSync } from 'node:child_process'` sees the replaced functions too.
  syncBuiltinESMExports();
}
