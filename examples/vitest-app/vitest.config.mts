import { defineConfig } from 'vitest/config';
import asyncrace from 'asyncrace/vitest';

// Detection is off unless ASYNCRACE=1 is set: `ASYNCRACE=1 npx vitest run`.
export default defineConfig({
  plugins: [asyncrace()],
  test: {
    include: ['test/**/*.test.ts'],
  },
});
