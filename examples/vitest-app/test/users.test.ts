import { describe, expect, test } from 'vitest';
import { UserDirectory, type User } from '../src/users';

function userService(): { fetchUser: (id: string) => Promise<User>; calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async fetchUser(id: string): Promise<User> {
      calls.push(id);
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id, name: `user ${id}` };
    },
  };
}

describe('UserDirectory', () => {
  test('get: one caller', async () => {
    const service = userService();
    const users = new UserDirectory(service.fetchUser);
    expect(await users.get('1')).toEqual({ id: '1', name: 'user 1' });
    expect(await users.get('1')).toEqual({ id: '1', name: 'user 1' });
    expect(service.calls).toEqual(['1']);
  });

  test('get: two callers at once', async () => {
    const users = new UserDirectory(userService().fetchUser);
    const [a, b] = await Promise.all([users.get('1'), users.get('1')]);
    // Both callers get user 1: the test passes, yet the user was fetched twice.
    expect(a).toEqual(b);
  });

  test('getShared: two callers at once', async () => {
    const service = userService();
    const users = new UserDirectory(service.fetchUser);
    const [a, b] = await Promise.all([users.getShared('1'), users.getShared('1')]);
    expect(a).toBe(b);
    expect(service.calls).toEqual(['1']);
  });
});
