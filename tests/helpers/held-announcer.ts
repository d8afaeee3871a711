import type { Announcer } from '../../src/delivery/announcer.js';

/**
 * A real announcer whose sends are held in flight until the test calls `open()`: for a post that changes while
 * its send is under way. Everything else (edits, hub checks and publishes) goes straight through.
 */
export function holdSends(real: Announcer): {
  announcer: Announcer;
  sending: () => number;
  open: () => void;
} {
  let open = () => {};
  const gate = new Promise<void>((resolve) => (open = resolve));
  let sending = 0;
  const announcer: Announcer = {
    platform: real.platform,
    announce: async (post, target, nonce) => {
      sending += 1;
      await gate;
      return real.announce(post, target, nonce);
    },
    ...(real.edit ? { edit: real.edit.bind(real) } : {}),
    ...(real.checkHub ? { checkHub: real.checkHub.bind(real) } : {}),
    ...(real.publish ? { publish: real.publish.bind(real) } : {}),
  };
  return { announcer, sending: () => sending, open };
}
