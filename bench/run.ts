// `npm run bench [-- --json] [-- --only name,name]` (`latency` runs only when named): the figures of issue 7, measured against local fakes
// that enforce the platforms' limits. Figures go to stdout (a table, or JSON lines with --json); progress
// and notes go to stderr. Not part of `npm test`: these are measurements, never assertions.
import { loadavg } from 'node:os';
import { figure, jsonLine, table, type Figure } from './lib/figures.js';
import { startPeer, type Peer } from './lib/peer.js';
import { stopAllProducts } from './lib/product.js';
import { deleteActivePrefixes } from './lib/redis.js';
import { adversarial } from './scenarios/adversarial.js';
import { clusterVariants } from './scenarios/cluster.js';
import { digestBoundary } from './scenarios/digests.js';
import { discordFanout } from './scenarios/discord-fanout.js';
import { feedCosts } from './scenarios/feeds.js';
import { followReach } from './scenarios/follow.js';
import { publishLatency } from './scenarios/latency.js';
import { lookups } from './scenarios/lookups.js';
import { scaleWorkers } from './scenarios/scale.js';
import { serverRemoved } from './scenarios/server-removed.js';
import { service } from './scenarios/service.js';
import { slackBurst, slackFanout } from './scenarios/slack-delivery.js';
import { slackTightLook } from './scenarios/slack-tight-look.js';
import { slackFanout100 } from './scenarios/slack-workspaces.js';
import { templateRendering } from './scenarios/templates.js';

/** A scenario: what it measures, the figures it owes (printed as n/a if it fails), its time limit. */
interface Scenario {
  name: string;
  figures: [name: string, unit: string][];
  limitMs: number;
  /** Runs only when named with `--only` (it takes long). */
  optIn?: boolean;
  run(peer: Peer): Promise<Figure[]>;
}

const SCENARIOS: Scenario[] = [
  {
    name: 'discord',
    figures: [
      ['discord_fanout_ratio', 'ratio'],
      ['discord_fanout_429', 'count'],
      ['discord_fanout_duplicates', 'count'],
      ['discord_fanout_seconds', 's'],
    ],
    limitMs: 150_000,
    run: discordFanout,
  },
  {
    name: 'follow',
    figures: [
      ['follow_requests_per_post_10k', 'req'],
      ['direct_requests_per_post_10k', 'req'],
      ['direct_sends_10k_seconds', 's'],
    ],
    limitMs: 420_000,
    run: followReach,
  },
  {
    name: 'slack-burst',
    figures: [
      ['slack_burst_ratio', 'ratio'],
      ['slack_burst_429', 'count'],
    ],
    limitMs: 100_000,
    run: slackBurst,
  },
  {
    name: 'slack-fanout',
    figures: [['slack_fanout_per_s', 'msg/s']],
    limitMs: 170_000,
    run: slackFanout,
  },
  {
    name: 'slack-100ws',
    figures: [
      ['slack_fanout_100ws_per_s', 'msg/s'],
      ['slack_fanout_100ws_429', 'count'],
      ['slack_fanout_100ws_duplicates', 'count'],
    ],
    limitMs: 120_000,
    run: slackFanout100,
  },
  {
    name: 'server-removed',
    figures: [
      ['server_removed_requests_per_channel', 'req'],
      ['server_removed_rounds', 'count'],
      ['server_removed_other_server_wait_s', 's'],
    ],
    limitMs: 150_000,
    run: () => serverRemoved(),
  },
  {
    name: 'slack-tight-look',
    figures: [
      ['slack_look_settle_1ch_minutes', 'min'],
      ['slack_look_settle_5ch_minutes', 'min'],
      ['slack_look_duplicates', 'count'],
    ],
    limitMs: 240_000,
    run: () => slackTightLook(),
  },
  {
    name: 'lookups',
    figures: [
      ['lookup_p50_ms_archive', 'ms'],
      ['lookup_p99_ms_archive', 'ms'],
      ['lookup_p99_ms_50k', 'ms'],
    ],
    limitMs: 120_000,
    run: () => lookups(),
  },
  {
    name: 'cluster',
    figures: [
      ['lookup_p99_ms_archive_cluster', 'ms'],
      ['lookup_p99_ms_50k_cluster', 'ms'],
      ['slack_fanout_100ws_cluster_per_s', 'msg/s'],
    ],
    limitMs: 180_000,
    run: clusterVariants,
  },
  {
    name: 'service',
    figures: [
      ['slack_command_p99_ms', 'ms'],
      ['discord_interaction_p99_ms', 'ms'],
      ['rss_peak_mb', 'MB'],
    ],
    limitMs: 120_000,
    run: service,
  },
  {
    name: 'feeds',
    figures: [
      ['poll_304_cpu_ms', 'ms'],
      ['poll_changed_cpu_ms', 'ms'],
      ['poll_page150_cpu_ms', 'ms'],
      ['backfill_733_seconds', 's'],
    ],
    limitMs: 90_000,
    run: feedCosts,
  },
  {
    name: 'digests',
    figures: [['digest_boundary_seconds', 's']],
    limitMs: 120_000,
    run: () => digestBoundary(),
  },
  {
    name: 'adversarial',
    figures: [['adversarial_item_ms', 'ms']],
    limitMs: 60_000,
    run: () => adversarial(),
  },
  {
    name: 'templates',
    figures: [['template_render_ms', 'ms']],
    limitMs: 60_000,
    run: () => templateRendering(),
  },
  {
    name: 'scale',
    figures: [
      ['scale_workers_1_per_s', 'msg/s'],
      ['scale_workers_2_per_s', 'msg/s'],
      ['scale_workers_4_per_s', 'msg/s'],
    ],
    limitMs: 240_000,
    run: scaleWorkers,
  },
  {
    name: 'latency',
    figures: [
      ['publish_to_channel_p50_s', 's'],
      ['publish_to_channel_p95_s', 's'],
      ['feed_requests_per_hour_200', 'req/h'],
      ['feed_requests_per_hour_304', 'req/h'],
      ['feed_bytes_per_hour', 'B/h'],
      ['feed_quiet_requests_per_hour', 'req/h'],
      ['feed_quiet_304_per_hour', 'req/h'],
      ['feed_quiet_bytes_per_hour', 'B/h'],
    ],
    limitMs: 20 * 60_000,
    optIn: true,
    run: () => publishLatency(),
  },
];

/** Stderr progress, so stdout holds only figures. */
export function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

async function runScenario(scenario: Scenario, peer: Peer): Promise<Figure[]> {
  const started = performance.now();
  progress(`${scenario.name}: running (limit ${scenario.limitMs / 1000} s)`);
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`over its ${scenario.limitMs / 1000} s limit`)),
      scenario.limitMs,
    );
  });
  try {
    const figures = await Promise.race([scenario.run(peer), limit]);
    progress(`${scenario.name}: done in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    return figures;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    progress(`${scenario.name}: FAILED: ${reason}`);
    return scenario.figures.map(([name, unit]) => figure(name, null, unit, { note: `failed: ${reason}` }));
  } finally {
    clearTimeout(timer);
  }
}

function parseArgs(argv: string[]): { json: boolean; only: Set<string> | null } {
  const at = argv.indexOf('--only');
  const only = at >= 0 ? new Set((argv[at + 1] ?? '').split(',').filter(Boolean)) : null;
  return { json: argv.includes('--json'), only };
}

async function main(): Promise<void> {
  const { json, only } = parseArgs(process.argv.slice(2));
  const started = performance.now();
  // Other work on the machine skews every figure: say how busy it was.
  progress(
    `load average at start: ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
  const peer = await startPeer();
  const figures: Figure[] = [];
  try {
    for (const scenario of SCENARIOS.filter((item) => (only ? only.has(item.name) : !item.optIn))) {
      const measured = await runScenario(scenario, peer);
      for (const item of measured) {
        figures.push(item);
        if (json) process.stdout.write(`${jsonLine(item)}\n`);
        if (item.note) progress(`  ${item.name} = ${item.value ?? 'n/a'} ${item.unit} (${item.note})`);
      }
    }
  } finally {
    await stopAllProducts();
    await deleteActivePrefixes();
    await peer.stop();
  }
  if (!json) process.stdout.write(`${table(figures)}\n`);
  progress(
    `all done in ${((performance.now() - started) / 1000).toFixed(1)} s; load average ${loadavg()
      .map((n) => n.toFixed(2))
      .join(' ')}`,
  );
}

await main();
// Stray handles (a BullMQ connection closing late) must not keep a finished run alive.
process.exit(0);
