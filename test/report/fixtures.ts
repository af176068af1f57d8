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
