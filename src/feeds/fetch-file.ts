import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeBody } from './decode.js';
import { FeedFetchError, formatBytes } from './errors.js';
import type { FeedValidators, FetchResult } from './fetch-types.js';

/** The first page of an archive directory (`start-index-1.xml`), which a poll of a directory reads. */
export const FIRST_ARCHIVE_PAGE = 'start-index-1.xml';

/**
 * Reads a feed from a local file. The modification time serves as Last-Modified and, with the size, as a
 * weak ETag (millisecond precision, where Last-Modified only has seconds), so an unchanged file is a 304.
 */
export async function fetchFile(
  path: string,
  validators: FeedValidators,
  maxBytes: number,
): Promise<FetchResult> {
  let target = path;
  let info = await statOrFail(target);
  if (info.isDirectory()) {
    target = join(path, FIRST_ARCHIVE_PAGE);
    info = await statOrFail(target);
  }
  const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
  const lastModified = info.mtime.toUTCString();
  const base = { url: target, redirected: false, etag, lastModified };
  if (validators.etag ? validators.etag === etag : validators.lastModified === lastModified) {
    return { status: 304, ...base };
  }
  if (info.size > maxBytes) {
    throw new FeedFetchError('too-large', `body larger than ${formatBytes(maxBytes)} in ${target}`, target);
  }
  const bytes = await readFile(target).catch((error: unknown) => {
    throw new FeedFetchError('file', `cannot read ${target}: ${describe(error)}`, target);
  });
  return { status: 200, ...base, body: decodeBody(bytes, null), contentType: null, bytes: bytes.length };
}

async function statOrFail(path: string) {
  try {
    return await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : describe(error);
    throw new FeedFetchError('file', `cannot read ${path}: ${why}`, path);
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
