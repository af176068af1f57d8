/**
 * The setup file the plugin adds to `test.setupFiles`: runs before each test
 * file in every worker and connects the worker side (worker.ts) to the file's
 * hooks. The worker side loads through Node itself, so that every test file
 * of a worker shares one runtime however vitest isolates modules.
 */
import { createRequire } from 'node:module';
import { afterAll, afterEach, beforeEach, expect } from 'vitest';
import type * as Worker from './worker.js';

interface Task {
  id: string;
  name: string;
  suite?: Task;
  file?: Task;
}

const require = createRequire(import.meta.url);
const { startFile } = require('./worker.js') as typeof Worker;

function testRef(task: Task): { id: string; name: string } {
  const names: string[] = [];
  // Up to the file's own suite, whose name is the file's, which the message says elsewhere.
  for (let t: Task | undefined = task; t && t !== task.file; t = t.suite) names.unshift(t.name);
  return { id: task.id, name: names.join(' > ') };
}

const run = startFile(expect.getState().testPath ?? '');

beforeEach((ctx) => run.testStarted(testRef(ctx.task as Task)));
afterEach((ctx) => run.testEnded(testRef(ctx.task as Task)));
afterAll(() => run.fileEnded());
