// Hand-made races for the formatting and merging tests.
import type { ReportFrame, ReportRace } from '../../src/report/types';

export function frame(file: string, line: number, column: number, fn: string): ReportFrame {
  return { file, line, column, function: fn };
}

/** The race of DESIGN.md section 4, with files under /app. */
export function cacheRace(): ReportRace {
  return {
    kind: 'atomicity-violation',
    object: { type: 'Map', id: 3, key: 'user:1', keyKind: 'string', createdAt: [frame('/app/src/cache.ts', 4, 15, '')] },
    current: {
      op: 'write',
      method: 'set',
      task: 9,
      frames: [frame('/app/src/cache.ts', 12, 11, 'getUser'), frame('/app/src/server.ts', 20, 3, 'handler')],
    },
    previous: { op: 'read', method: 'has', task: 9, frames: [frame('/app/src/cache.ts', 9, 13, 'getUser')] },
    interleaved: { op: 'write', method: 'set', task: 11, frames: [frame('/app/src/cache.ts', 12, 11, 'getUser')] },
    tasks: [
      { id: 9, state: 'running', createdAt: [frame('/app/src/server.ts', 20, 3, 'handler')] },
      { id: 11, state: 'finished', createdAt: [frame('/app/src/server.ts', 20, 3, 'handler')] },
    ],
  };
}

/** An order race between two tasks, with files under /app. */
export function orderRace(): ReportRace {
  return {
    kind: 'order-race',
    object: { type: 'Map', id: 5, key: 'config', keyKind: 'string', createdAt: [frame('/app/src/config.ts', 2, 16, '')] },
    current: { op: 'read', method: 'get', task: 4, frames: [frame('/app/src/handler.ts', 7, 20, 'handle')] },
    previous: { op: 'write', method: 'set', task: 2, frames: [frame('/app/src/config.ts', 10, 5, 'init')] },
    tasks: [
      { id: 4, state: 'running', createdAt: [frame('/app/src/server.ts', 30, 3, 'listen')] },
      { id: 2, state: 'finished', createdAt: [frame('/app/src/main.ts', 5, 1, '')] },
    ],
    explanation: 'no await, promise or lock orders these accesses',
    hint: 'use a promise, an await, or a lock to order them',
  };
}

/** A strict-mode data race on a Set's key set, in a file outside /app and a runtime frame. */
export function dataRace(): ReportRace {
  return {
    kind: 'data-race',
    object: { type: 'Set', id: 8, key: '(keys)', keySet: true, createdAt: [] },
    current: {
      op: 'write',
      method: 'add',
      task: 6,
      frames: [frame('/opt/lib/node_modules/pool/index.js', 40, 9, 'acquire'), frame('node:events', 517, 28, 'emit')],
    },
    previous: { op: 'read', method: 'size', task: 7, frames: [frame('node:internal/timers', 581, 17, 'listOnTimeout')] },
    tasks: [
      { id: 6, state: 'running', createdAt: [] },
      { id: 7, state: 'running', createdAt: [] },
    ],
  };
}
