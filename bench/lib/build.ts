import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A compiled copy of the product outside the work tree, laid out as the Docker image is. */
export interface ProductBuild {
  /** `bin/psf-bot.js` of the copy: it finds `../dist` and runs the compiled CLI. */
  cli: string;
  /** What tsc printed (type errors in files mid-edit still emit JavaScript). */
  diagnostics: string;
  dispose(): Promise<void>;
}

/**
 * Compiles src/, adapters/ and jobs/ with tsconfig.build.json into a temporary directory (never into the
 * work tree: a `dist/` there would make every `bin/psf-bot.js` run stale compiled code), beside a copy of
 * bin/psf-bot.js and a link to node_modules.
 */
export async function buildProduct(): Promise<ProductBuild> {
  const dir = await mkdtemp(join(tmpdir(), 'psf-bench-build-'));
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  let diagnostics = '';
  try {
    await promisify(execFile)(
      process.execPath,
      [tsc, '-p', 'tsconfig.build.json', '--outDir', join(dir, 'dist')],
      {
        cwd: ROOT,
        maxBuffer: 16 * 1024 * 1024,
      },
    );
  } catch (error) {
    diagnostics = String((error as { stdout?: string }).stdout ?? error).slice(0, 2_000);
  }
  await stat(join(dir, 'dist', 'jobs', 'cli.js')).catch(async () => {
    await rm(dir, { recursive: true, force: true });
    throw new Error(`the build produced no dist/jobs/cli.js: ${diagnostics}`);
  });
  await mkdir(join(dir, 'bin'));
  await copyFile(join(ROOT, 'bin', 'psf-bot.js'), join(dir, 'bin', 'psf-bot.js'));
  await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return {
    cli: join(dir, 'bin', 'psf-bot.js'),
    diagnostics,
    dispose: () => rm(dir, { recursive: true, force: true }),
  };
}
