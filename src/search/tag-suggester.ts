import MiniSearch from 'minisearch';
import type { Post } from '../posts/post.js';
import { normaliseTag } from '../posts/tags.js';
import { distinctTags, mostUsedLabel } from '../store/post-order.js';
import { processTerm } from './terms.js';

interface TagEntry {
  tag: string;
  label: string;
  count: number;
}

/**
 * Tags in use with their counts, and suggestions for a partial or mistyped tag. The tag list is small
 * (hundreds), so its fuzzy index is rebuilt lazily after a change rather than patched.
 */
export class TagSuggester {
  private readonly spellings = new Map<string, Map<string, number>>();
  private entries: TagEntry[] | null = null;
  private fuzzy: MiniSearch<TagEntry> | null = null;

  /** Moves one post's tags from `previous` (null when new) to `next`. */
  replace(previous: Post | null, next: Post): void {
    if (previous) this.adjust(previous, -1);
    this.adjust(next, 1);
    this.entries = null;
    this.fuzzy = null;
  }

  /**
   * Up to `limit` labels: tags starting with the text, then tags with a word starting with it (most used
   * first in each), then close spellings (closest first): autocomplete and "did you mean" in one.
   */
  suggest(text: string, limit: number): string[] {
    if (limit <= 0) return [];
    const entries = this.tagEntries();
    const wanted = normaliseTag(text);
    if (wanted === '') return entries.slice(0, limit).map((entry) => entry.label);
    // Lower sorts first: 0 prefix, 1 word prefix, 2 minus a fraction for the closer typo matches.
    const ranks = new Map<string, number>();
    for (const entry of entries) {
      if (entry.tag.startsWith(wanted)) ranks.set(entry.tag, 0);
      else if (entry.tag.split(' ').some((word) => word.startsWith(wanted))) ranks.set(entry.tag, 1);
    }
    const close = this.fuzzyIndex().search(wanted, { fuzzy: 0.34, prefix: true, combineWith: 'AND' });
    const best = close[0]?.score ?? 1;
    for (const result of close) {
      const tag = result.id as string;
      if (!ranks.has(tag)) ranks.set(tag, 3 - result.score / best);
    }
    return entries
      .filter((entry) => ranks.has(entry.tag))
      .sort((a, b) => (ranks.get(a.tag) ?? 4) - (ranks.get(b.tag) ?? 4))
      .slice(0, limit)
      .map((entry) => entry.label);
  }

  /** The most used spelling of a tag in use, or null. */
  labelOf(tag: string): string | null {
    const labels = this.spellings.get(normaliseTag(tag));
    return labels ? mostUsedLabel(labels) : null;
  }

  private adjust(post: Post, delta: number): void {
    for (const [tag, label] of distinctTags(post)) {
      const labels = this.spellings.get(tag) ?? new Map<string, number>();
      const count = (labels.get(label) ?? 0) + delta;
      if (count > 0) labels.set(label, count);
      else labels.delete(label);
      if (labels.size > 0) this.spellings.set(tag, labels);
      else this.spellings.delete(tag);
    }
  }

  /** Most used first, then alphabetical (a stable sort keeps this order within each suggestion rank). */
  private tagEntries(): TagEntry[] {
    if (this.entries) return this.entries;
    const entries: TagEntry[] = [];
    for (const [tag, labels] of this.spellings) {
      let count = 0;
      for (const n of labels.values()) count += n;
      entries.push({ tag, label: mostUsedLabel(labels) ?? tag, count });
    }
    entries.sort((a, b) => b.count - a.count || (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
    this.entries = entries;
    return entries;
  }

  private fuzzyIndex(): MiniSearch<TagEntry> {
    if (this.fuzzy) return this.fuzzy;
    const fuzzy = new MiniSearch<TagEntry>({ idField: 'tag', fields: ['tag'], processTerm });
    fuzzy.addAll(this.tagEntries());
    this.fuzzy = fuzzy;
    return fuzzy;
  }
}
