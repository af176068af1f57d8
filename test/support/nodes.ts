/**
 * The Node binaries the process-running tests use, and what each one has.
 *
 * The suite runs on whichever Node runs vitest (`.ci/run` runs it whole on
 * each supported line). ASYNCRACE_TEST_NODES adds other binaries to the tests
 * that take a list (the register tests, the semantics suite), for a quick
 * look at another line without running the whole suite there:
 *
 *   ASYNCRACE_TEST_NODES=/opt/node22/bin/node:/opt/node26/bin/node npx vitest run test/register
 *
 * Tests that depend on a feature ask for the feature (`stripsTypes`,
 * `registerHooks`, ...), not for a version, and a test skipped for the
 * lack of one says so in its name (`lacks`).
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

export interface NodeBinary {
  /** `node 22.23.5` */
  name: string;
  path: string;
  version: string;
  major: number;
  minor: number;
  /** Node strips TypeScript types by itself, without a flag (`process.features.typescript`; 22.18+, 23.6+). */
  stripsTypes: boolean;
  /** `module.registerHooks`, the in-thread module hooks (22.15+, 23.5+); without it asyncrace uses `module.register`. */
  registerHooks: boolean;
  /** `createHook({ trackPromises: false })` keeps async_hooks off promises (24+); before, every promise gets async-id symbols. */
  untracksPromises: boolean;
  /** require() of an ES module without a flag (`process.features.require_module`; 20.19+, 22.12+). */
  requiresEsm: boolean;
}

const PROBE = `
let tracked = false;
require('node:async_hooks').createHook({ init(_i, type) { if (type === 'PROMISE') tracked = true; }, trackPromises: false }).enable();
void Promise.resolve();
console.log(JSON.stringify({
  version: process.versions.node,
  typescript: process.features.typescript ?? false,
  registerHooks: typeof require('node:module').registerHooks === 'function',
  untracksPromises: !tracked,
  requireModule: process.features.require_module === true,
}));`;

/** Runs `bin` once to find its version and features. */
export function describeNode(bin: string): NodeBinary {
  const env = { ...process.env };
  for (const key of ['NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[key];
  const out = spawnSync(bin, ['-e', PROBE], { encoding: 'utf8', env });
  if (out.status !== 0) throw new Error(`cannot run ${bin}: ${out.stderr}`);
  const f = JSON.parse(out.stdout) as { version: string; typescript: string | false; registerHooks: boolean; untracksPromises: boolean; requireModule: boolean };
  const [major, minor] = f.version.split('.').map(Number) as [number, number];
  return {
    name: `node ${f.version}`,
    path: bin,
    version: f.version,
    major,
    minor,
    stripsTypes: f.typescript !== false,
    registerHooks: f.registerHooks,
    untracksPromises: f.untracksPromises,
    requiresEsm: f.requireModule,
  };
}

/** The name of a test skipped on `node` because it lacks `feature`. */
export function lacks(node: NodeBinary, feature: string): string {
  return `${node.name} has no ${feature}`;
}

/** The other binaries named in ASYNCRACE_TEST_NODES (separated by `path.delimiter`). */
export const OTHER_NODE_PATHS: string[] = (process.env.ASYNCRACE_TEST_NODES ?? '').split(path.delimiter).filter(Boolean);

/** This Node (`process.execPath`), then those of ASYNCRACE_TEST_NODES. */
export const NODES: NodeBinary[] = [process.execPath, ...OTHER_NODE_PATHS].map(describeNode);

/** This Node. */
export const THIS_NODE: NodeBinary = NODES[0]!;
