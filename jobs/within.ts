/**
 * Whether `work` fulfilled within `ms`; a rejection propagates. The timer is referenced on purpose: a wait on
 * work that holds no handle of its own must still end by the bound, not by the event loop running dry.
 */
export async function within(work: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([work.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
