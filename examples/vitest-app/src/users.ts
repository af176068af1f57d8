/** A directory of users in front of a slow user service. */
export interface User {
  id: string;
  name: string;
}

/** Fetches one user from the user service. */
export type FetchUser = (id: string) => Promise<User>;

export class UserDirectory {
  private readonly users = new Map<string, User>();
  private readonly pending = new Map<string, Promise<User>>();

  constructor(private readonly fetchUser: FetchUser) {}

  /**
   * Racy: two callers that miss at the same time both fetch the user, and the
   * second write replaces the first one's object.
   */
  async get(id: string): Promise<User> {
    const known = this.users.get(id);
    if (known) return known;
    const user = await this.fetchUser(id);
    this.users.set(id, user);
    return user;
  }

  /**
   * Fixed: the first caller stores the promise in the same step as the check;
   * every later caller awaits that same promise.
   */
  getShared(id: string): Promise<User> {
    let user = this.pending.get(id);
    if (!user) {
      user = this.fetchUser(id);
      this.pending.set(id, user);
    }
    return user;
  }
}
