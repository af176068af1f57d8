/**
 * `import asyncrace from 'asyncrace/vitest'`: the vitest plugin (plugin.ts).
 *
 * @example
 *   // vitest.config.ts
 *   import { defineConfig } from 'vitest/config';
 *   import asyncrace from 'asyncrace/vitest';
 *   export default defineConfig({ plugins: [asyncrace()] });
 */
import { asyncrace } from './plugin.js';

export type { AsyncRaceVitePlugin, AsyncRaceVitestOptions } from './plugin.js';
export { asyncrace };
export default asyncrace;
