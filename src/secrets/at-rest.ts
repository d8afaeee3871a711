import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

// Secrets we must keep in Redis (Slack installations: bot and refresh tokens) are sealed with AES-256-GCM
// under ENCRYPTION_KEY. Each value names the id of the key that sealed it, so a new key can be rolled in: the
// old one stays readable (ENCRYPTION_OLD_KEYS) and values are sealed again with the new key when read.
// Since v2 each value is also bound to its owner (a Slack team or enterprise id) as GCM associated data, so a
// value copied under another owner's Redis key does not open. v1 values (no owner) are still read; the caller
// checks the owner written inside them and they are sealed again as v2.

const PREFIX = 'psf-sealed:v2';
const UNBOUND_PREFIX = 'psf-sealed:v1';
const IV_BYTES = 12;
/** The full 16-byte GCM tag: without `authTagLength`, Node also accepts a tag cut to 4 bytes (easier forgery). */
const TAG_BYTES = 16;

/** A 32-byte key and its id (the first 8 hex digits of its SHA-256: names the key, reveals nothing of it). */
export interface AtRestKey {
  id: string;
  key: Buffer;
}

/** Parses 32 bytes written as 64 hex digits or as base64 (44 characters); null when it is neither. */
export function parseKey(text: string): AtRestKey | null {
  const trimmed = text.trim();
  let key: Buffer | null = null;
  if (/^[0-9a-fA-F]{64}$/.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (/^[A-Za-z0-9+/_-]{43}=?$/.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  if (key?.length !== 32) return null;
  return { id: createHash('sha256').update(key).digest('hex').slice(0, 8), key };
}

/**
 * What `open` found: the clear text; whether it should be sealed again (clear, an old key, or v1); and whether
 * the value itself proved its owner (v2). When `bound` is false the caller must check the owner inside `text`.
 */
export interface Opened {
  text: string;
  stale: boolean;
  bound: boolean;
}

/** Thrown when a stored value cannot be opened: no key configured, an unknown key id, or tampering. */
export class AtRestError extends Error {
  override readonly name = 'AtRestError';
}

/** Seals and opens values kept at rest. Without keys it passes clear text through (and refuses sealed text). */
export class AtRestCipher {
  private readonly byId: Map<string, Buffer>;

  constructor(
    private readonly current: AtRestKey | null,
    old: readonly AtRestKey[] = [],
  ) {
    this.byId = new Map([...old, ...(current ? [current] : [])].map((k) => [k.id, k.key]));
  }

  /** Whether values are sealed (ENCRYPTION_KEY is set). */
  get enabled(): boolean {
    return this.current !== null;
  }

  /**
   * `psf-sealed:v2:<key id>:<iv>:<tag>:<ciphertext>` (base64), bound to `owner` (associated data: not stored,
   * but needed to open), or the text itself without a key.
   */
  seal(text: string, owner: string): string {
    if (!this.current) return text;
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    cipher.setAAD(Buffer.from(owner, 'utf8'));
    const sealed = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
    const parts = [iv, cipher.getAuthTag(), sealed].map((part) => part.toString('base64'));
    return [PREFIX, this.current.id, ...parts].join(':');
  }

  /**
   * The clear text of a stored value read as `owner`'s, sealed or not; throws `AtRestError` when it cannot be
   * opened (a v2 value sealed for another owner is one of those).
   */
  open(stored: string, owner: string): Opened {
    const version = [PREFIX, UNBOUND_PREFIX].find((prefix) => stored.startsWith(`${prefix}:`));
    if (!version) return { text: stored, stale: this.enabled, bound: false };
    const bound = version === PREFIX;
    const [id, iv, tag, sealed] = stored.slice(version.length + 1).split(':');
    const key = id === undefined ? undefined : this.byId.get(id);
    if (!key) {
      throw new AtRestError(
        this.enabled
          ? `a stored secret was sealed with key ${id}, which is neither ENCRYPTION_KEY nor in ENCRYPTION_OLD_KEYS`
          : 'a stored secret is encrypted but ENCRYPTION_KEY is not set',
      );
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv ?? '', 'base64'), {
        authTagLength: TAG_BYTES,
      });
      decipher.setAuthTag(Buffer.from(tag ?? '', 'base64'));
      if (bound) decipher.setAAD(Buffer.from(owner, 'utf8'));
      const text = Buffer.concat([decipher.update(Buffer.from(sealed ?? '', 'base64')), decipher.final()]);
      return { text: text.toString('utf8'), stale: !bound || id !== this.current?.id, bound };
    } catch {
      throw new AtRestError(
        `a stored secret sealed with key ${id} does not open as ${owner}'s: wrong key, another owner's value, or altered`,
      );
    }
  }
}

/** The cipher of a configuration's `encryption` slice; a pass-through cipher when there is none. */
export function atRestCipher(encryption?: { currentKey: string; oldKeys: readonly string[] }): AtRestCipher {
  if (!encryption) return new AtRestCipher(null);
  const old = encryption.oldKeys.map(parseKey).filter((key): key is AtRestKey => key !== null);
  return new AtRestCipher(parseKey(encryption.currentKey), old);
}
