import { describe, expect, it } from 'vitest';
import { redactKey, redactRace, redactRaces } from '../../src/report/redact';
import { formatRace } from '../../src/report/text';
import { cacheRace } from './fixtures';

describe('redact_keys', () => {
  it('hashes a key the same way every time, and different keys differently', () => {
    expect(redactKey('alice@example.com', 'string')).toBe('redacted:fc2d378decd1');
    expect(redactKey('alice@example.com', 'string')).toBe(redactKey('alice@example.com', 'string'));
    expect(redactKey('bob@example.com', 'string')).not.toBe(redactKey('alice@example.com', 'string'));
    // The number 1 and the string "1" are different keys of a Map.
    expect(redactKey('1', 'number')).not.toBe(redactKey('1', 'string'));
  });

  it('redacts keys that can carry data, and leaves the race it was given alone', () => {
    const race = cacheRace();
    const hidden = redactRace(race);
    expect(hidden.object).toMatchObject({ key: redactKey('user:1', 'string'), redacted: true });
    expect(race.object.key).toBe('user:1');
    expect(formatRace(hidden, { cwd: '/app' })).not.toContain('user:1');
    expect(formatRace(hidden, { cwd: '/app' })).toContain(`key ${redactKey('user:1', 'string')} on Map#3`);
    // Redacting twice changes nothing.
    expect(redactRace(hidden)).toBe(hidden);
  });

  it('keeps what carries no data: the key set, objects, booleans, null', () => {
    const race = cacheRace();
    const keySet = { ...race, object: { ...race.object, key: '(keys)', keySet: true, keyKind: undefined } };
    const object = { ...race, object: { ...race.object, key: '[object Request#12]', keyKind: 'object' as const } };
    const flag = { ...race, object: { ...race.object, key: 'true', keyKind: 'boolean' as const } };
    const none = { ...race, object: { ...race.object, key: 'null', keyKind: 'null' as const } };
    expect(redactRaces([keySet, object, flag, none])).toEqual([keySet, object, flag, none]);
  });
});
