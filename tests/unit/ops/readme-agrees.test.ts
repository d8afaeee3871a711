import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HELP_TEXT } from '../../../src/commands/help-text.js';
import { parseCommandText } from '../../../src/commands/parse.js';
import { loadConfig } from '../../../src/config.js';
import { ADMIN, makeCore } from '../commands/core-fixture.js';

// What README says matches the files it describes, and several tags are written one way everywhere.

const root = new URL('../../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');
const readme = read('README.md');

describe('README agrees with the files', () => {
  it('names the Docker base image the Dockerfile uses', () => {
    const image = /^ARG NODE_IMAGE=(\S+)$/m.exec(read('Dockerfile'))?.[1];
    expect(image).toBeDefined();
    expect(readme).toContain(`\`${image}\``);
    expect(readme.match(/`node:\d+[^`]*`/g)).toEqual([`\`${image}\``]);
  });

  it('shows the compose override files exactly as shipped', () => {
    for (const name of ['docker-compose.cluster.yml', 'docker-compose.sentinel.yml']) {
      const block = new RegExp('```yaml\\n(# ' + name.replace(/\./g, '\\.') + ':[\\s\\S]*?)```').exec(
        readme,
      )?.[1];
      expect(block, name).toBeDefined();
      expect(read(name)).toBe(block);
    }
  });

  it('shows every command as `npx psf-bot …`', () => {
    const commands = 'start|poll|backfill|preview|ask|discord|doctor|deliveries';
    const bare = new RegExp(`(^|[^/\\w.-])(?<!npx )psf-bot (${commands})\\b`, 'gm');
    expect([...readme.matchAll(bare)].map((match) => match[0].trim())).toEqual([]);
    expect(readme).toContain('npx psf-bot ask "latest 3"');
  });
});

describe('several tags are written one way everywhere, and comma, space and + all work', () => {
  it('help, README and .env.example write them tag,tag', () => {
    expect(HELP_TEXT).toContain('[tag,tag]');
    expect(readme).toContain('`subscribe [feed…\\|all] [tag,tag]`');
    expect(readme).toContain('`platform:workspace:channel[:feed,feed[:tag,tag]]`');
    expect(read('.env.example')).toContain('platform:workspace:channel[:feed,feed[:tag,tag]]');
  });

  it('in chat', async () => {
    for (const text of [
      'subscribe psf grants,pycon',
      'subscribe psf grants pycon',
      'subscribe psf grants+pycon',
      'subscribe grants psf pycon',
    ]) {
      const { core, subscriptions } = await makeCore([]);
      const parsed = parseCommandText(text);
      if (!parsed.ok) throw new Error(parsed.message);
      await core.handle(parsed.request, ADMIN);
      expect(await subscriptions.get(ADMIN), text).toMatchObject({
        feeds: ['psf'],
        tags: ['grants', 'pycon'],
      });
    }
    const phrase = parseCommandText('subscribe psf "PyCon US" grants');
    expect(phrase).toMatchObject({ ok: true, request: { tags: ['psf', 'pycon us', 'grants'] } });
  });

  it('in PSF_SUBSCRIPTIONS', () => {
    const feeds = 'psf=https://example.org/psf,insider=https://example.org/insider';
    for (const tags of ['grants,pycon', 'grants pycon', 'grants+pycon']) {
      const config = loadConfig({
        PSF_FEEDS: feeds,
        PSF_SUBSCRIPTIONS: `discord:1:2:psf,insider:${tags},slack:T1:C1`,
      });
      expect(config.subscriptions, tags).toEqual([
        {
          platform: 'discord',
          workspaceId: '1',
          channelId: '2',
          feeds: ['psf', 'insider'],
          tags: ['grants', 'pycon'],
        },
        { platform: 'slack', workspaceId: 'T1', channelId: 'C1', feeds: [], tags: [] },
      ]);
    }
  });
});
