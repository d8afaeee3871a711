// Temporary: prints where a seed's duplicates are.
import { generateSchedule } from './schedule.js';
import { Rng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';
import { SimWorld } from './world.js';
import { lastEventMs } from './schedule.js';

const seed = Number(process.argv[2]);
const schedule = generateSchedule(seed);
const START = Date.UTC(2026, 0, 5, 9, 0, 0);
const rng = new Rng(seed ^ 0x5bd1e995);
const clock = new VirtualClock(START, rng);
const world = new SimWorld(schedule, START, rng);
await world.begin();
const last = START + lastEventMs(schedule);
await clock.run(() => clock.now() > last && world.settled(), last + 75 * 60_000);
const t = (ms: number) => `${((ms - START) / 1000).toFixed(1)}s`;
const byKey = new Map<string, typeof world.platforms.messages>();
for (const m of world.platforms.messages) {
  if (!m.byBot) continue;
  for (const p of m.post !== null ? [m.post] : m.listed) {
    const k = `${p}>${m.home}`;
    byKey.set(k, [...(byKey.get(k) ?? []), m]);
  }
}
for (const [k, ms] of byKey) {
  if (ms.length < 2) continue;
  const home = ms[0]!.home;
  console.log('DUP', k, JSON.stringify(schedule.features.channels.find((f) => f.channelId === home)));
  for (const m of ms) console.log('  ', m.id, t(m.at), m.digest ?? 'per-post', m.channelId, m.nonce ?? '');
  console.log('  switches', world.switches.filter((s) => s.channelId === home).map((s) => `${t(s.at)}→${s.to}`));
  console.log('  requests', world.platforms.requests.filter((r) => r.channelId === home).map((r) => `${r.route}:${r.status}${r.fault ? '/' + r.fault : ''}@${t(r.at)}`).join(' '));
  const jobs = [...world.shared.queues.discord.jobs.values(), ...world.shared.queues.slack.jobs.values()].filter((j) => (j.data as { channelId: string }).channelId === home);
  for (const j of jobs) console.log('  job', j.id, j.state, j.attemptsMade, j.attemptsStarted, JSON.stringify(j.returnvalue), j.failedReason ?? '');
}
for (const m of world.platforms.messages) {
  if (!m.byBot || m.post === null) continue;
  const latest = world.published.get(m.post)?.rev ?? 1;
  if (m.rev === latest) continue;
  const home = m.home;
  console.log('STALE post', m.post, 'rev', m.revs, 'latest', latest, 'in', m.channelId, home, 'sent', t(m.at), JSON.stringify(schedule.features.channels.find((f) => f.channelId === home)));
  console.log('  edits at', schedule.features.edits.filter((e) => e.n === m.post).map((e) => e.atMs / 1000));
  console.log('  requests', world.platforms.requests.filter((r) => r.channelId === home).map((r) => `${r.route}:${r.status}${r.fault ? '/' + r.fault : ''}${r.code ? '#' + r.code : ''}@${t(r.at)}`).join(' '));
  const jobs = [...world.shared.queues.discord.jobs.values(), ...world.shared.queues.slack.jobs.values()].filter((j) => (j.data as { channelId: string; postId?: string }).channelId === home && (j.data as { postId?: string }).postId === `sim-post-${m.post}`);
  for (const j of jobs) console.log('  job', j.id, j.state, j.attemptsMade, j.attemptsStarted, JSON.stringify(j.returnvalue), j.failedReason ?? '');
  const announce = [...world.shared.queues.announce.jobs.values()].filter((j) => (j.data as { postId: string }).postId === `sim-post-${m.post}`);
  for (const j of announce) console.log('  announce', j.id, j.state, t(j.changedAt), JSON.stringify(j.returnvalue));
}
console.log('boundary', t(START + schedule.features.digestAtMs), 'posts', schedule.posts.map((p) => `${p.n}@${p.atMs / 1000}`), 'kills', JSON.stringify(schedule.kills), 'redis', JSON.stringify(schedule.redisRestarts));
world.stop();
clock.uninstall();
for (const r of world.platforms.requests.filter((r) => r.provoked)) {
  const team = world.platforms.slackChannels.get(r.channelId ?? '');
  console.log('PROVOKED', r.route, r.status, r.channelId, team, t(r.at), 'rate', schedule.features.slackWorkspaceRate);
  const near = world.platforms.requests.filter((q) => q.platform === 'slack' && world.platforms.slackChannels.get(q.channelId ?? '') === team && Math.abs(q.at - r.at) < 3000);
  console.log('  near', near.map((q) => `${q.route}:${q.channelId}:${q.status}${q.fault ? '/' + q.fault : ''}@${t(q.at)}`).join(' '));
}
