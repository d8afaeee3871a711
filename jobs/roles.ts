/** What a `start` process runs (DESIGN §8): any number of workers and bots on one Redis. */
export const ROLES = ['all', 'poller', 'worker', 'bot', 'web'] as const;
export type Role = (typeof ROLES)[number];

/** Whether a process started with `role` runs `part`. */
export function runs(role: Role, part: Exclude<Role, 'all'>): boolean {
  return role === 'all' || role === part;
}
