import { Queue } from 'bullmq';
import { FAULTS, until, type Fault, type FaultTiming } from './faults.js';
import { pairKey, World, type WorldSize } from './world.js';

/** What one fault run measured. */
export interface Figures {
  fault: string;
  delivered: number;
  duplicates: number;
  lost: number;
  wrongly_disabled: number;
  max_delay_s: number;
}

/** A run's size and timings: `npm run chaos` uses FULL, `npm test` the SHORT form. */
export interface ChaosOptions {
  size: WorldSize;
  posts: number;
  timing: FaultTiming;
  /** Longest wait for every delivery once the fault is over. */
  settleMs: number;
  faults?: readonly string[];
}

export const FULL: ChaosOptions = {
  size: { discordChannels: 100, slackChannels: 100 },
  posts: 5,
  timing: { outageMs: 20_000, stormMs: 10_000, noisyMs: 15_000 },
  settleMs: 240_000,
};

export const SHORT: ChaosOptions = {
  size: { discordChannels: 10, slackChannels: 10 },
  posts: 2,
  timing: { outageMs: 3_000, stormMs: 3_000, noisyMs: 3_000 },
  settleMs: 90_000,
  // The rest have integration tests of their own (tenant rate limits, lost answers, Redis data loss).
  faults: ['proxy outage (HTML/route 404s)', 'Slack answers lost (10%)'],
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** True when no deliver or announce job waits, runs or is delayed. */
async function idle(world: World): Promise<boolean> {
  const names = ['announce', 'deliver-discord', 'deliver-slack'];
  const queues = names.map((name) => new Queue(name, { connection: world.redis.where, prefix: 'chaos' }));
  try {
    for (const queue of queues) {
      const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized');
      if (Object.values(counts).some((n) => n > 0)) return false;
    }
    return true;
  } finally {
    await Promise.all(queues.map((queue) => queue.close()));
  }
}

/** Each queue's jobs by state. */
async function jobCounts(world: World): Promise<Record<string, Record<string, number>>> {
  const counts: Record<string, Record<string, number>> = {};
  for (const name of ['announce', 'deliver-discord', 'deliver-slack']) {
    const queue = new Queue(name, { connection: world.redis.where, prefix: 'chaos' });
    try {
      counts[name] = await queue.getJobCounts(
        'waiting',
        'active',
        'delayed',
        'prioritized',
        'failed',
        'completed',
      );
    } finally {
      await queue.close();
    }
  }
  return counts;
}

/** Runs one fault in a fresh world and measures what reached the platforms. */
export async function runFault(fault: Fault, options: ChaosOptions): Promise<Figures> {
  const world = await World.start(options.size);
  try {
    let count = 0;
    const publishing = (async () => {
      if (fault.ownsPublishing) return;
      for (let n = 1; n <= options.posts; n++) {
        world.publish(n);
        count = n;
        await sleep(1_200);
      }
    })();
    const published = (n: number) => until(() => count >= Math.min(n, options.posts), `post ${n}`, 60_000);
    await Promise.all([publishing, fault.run(world, options.timing, { published, posts: options.posts })]);
    const expected = options.posts * world.targets.length;
    await until(
      async () => world.seen().count.size >= expected && (await idle(world)),
      'every delivery',
      options.settleMs,
    ).catch(() => undefined);
    await sleep(1_000);
    const seen = world.seen();
    let delivered = 0;
    let maxDelay = 0;
    const missing = { discord: 0, slack: 0 };
    for (let n = 1; n <= options.posts; n++) {
      for (const target of world.targets) {
        const at = seen.firstAt.get(pairKey(n, target));
        if (at === undefined) {
          missing[target.platform] += 1;
          continue;
        }
        delivered += 1;
        maxDelay = Math.max(maxDelay, at - (world.published.get(n) ?? at));
      }
    }
    if (missing.discord + missing.slack > 0) {
      // What a loss looks like when the settle time ends: where the deliveries are, so a run says why.
      console.error(
        `${fault.name}: not delivered by the end of the settle time: ${JSON.stringify(missing)}; queues ${JSON.stringify(await jobCounts(world))}`,
      );
    }
    return {
      fault: fault.name,
      delivered,
      duplicates: seen.messages - seen.count.size,
      lost: expected - delivered,
      wrongly_disabled: await world.disabled(),
      max_delay_s: Math.round(maxDelay / 100) / 10,
    };
  } finally {
    await world.stop();
  }
}

/** Runs the chosen faults one after another; returns each one's figures and the total. */
export async function runChaos(
  options: ChaosOptions,
  report: (figures: Figures) => void = () => undefined,
): Promise<{ faults: Figures[]; total: Figures }> {
  const chosen = FAULTS.filter((fault) => !options.faults || options.faults.includes(fault.name));
  const faults: Figures[] = [];
  for (const fault of chosen) {
    const figures = await runFault(fault, options);
    faults.push(figures);
    report(figures);
  }
  const sum = (key: 'delivered' | 'duplicates' | 'lost' | 'wrongly_disabled') =>
    faults.reduce((total, figures) => total + figures[key], 0);
  const total: Figures = {
    fault: 'total',
    delivered: sum('delivered'),
    duplicates: sum('duplicates'),
    lost: sum('lost'),
    wrongly_disabled: sum('wrongly_disabled'),
    max_delay_s: Math.max(0, ...faults.map((figures) => figures.max_delay_s)),
  };
  return { faults, total };
}

/** One aligned line of figures. */
export function formatFigures(figures: Figures): string {
  return (
    `${figures.fault.padEnd(31)} delivered=${String(figures.delivered).padStart(5)} ` +
    `duplicates=${figures.duplicates} lost=${figures.lost} wrongly_disabled=${figures.wrongly_disabled} ` +
    `max_delay_s=${figures.max_delay_s}`
  );
}
