import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { isVitestCommand, readCliNotes } from '../../src/report/cli-notes';

describe('notes to the CLI', () => {
  it('knows vitest\'s command by the main module, however it was started', () => {
    expect(isVitestCommand('/app/node_modules/vitest/vitest.mjs')).toBe(true);
    expect(isVitestCommand('/app/node_modules/.bin/vitest')).toBe(true);
    expect(isVitestCommand('C:\\app\\node_modules\\.bin\\vitest')).toBe(true);
    expect(isVitestCommand('/app/node_modules/.pnpm/vitest@4.1.12/node_modules/vitest/vitest.mjs')).toBe(true);
    expect(isVitestCommand('/app/vitest.config.mjs')).toBe(false);
    expect(isVitestCommand('/app/node_modules/vitest/dist/workers/forks.js')).toBe(false);
    expect(isVitestCommand('/app/my-vitest')).toBe(false);
    expect(isVitestCommand(undefined)).toBe(false);
  });

  it('counts each note by its file, and nothing else in the directory', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'asyncrace-notes-'));
    try {
      for (const name of ['1-0.instrumented.note', '1-1.instrumented.note', '2-0.vitest.note', '2-0.vitest-plugin.note', 'race-1-0-ab.ndjson', '3-0.other.note']) {
        fs.writeFileSync(path.join(dir, name), '');
      }
      expect(readCliNotes(dir)).toEqual({ instrumented: 2, vitest: 1, 'vitest-plugin': 1 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
