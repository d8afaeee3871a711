// The words of a command as people type them in Slack or `psf-bot ask`: spaces separate words, and a double
// quote (straight, or the curly pair Slack's clients type) keeps a span with spaces in one word, so
// `template "New: {{title}}"` and `tag:"PyCon US"` are each one word. Inside quotes, `\"` is a quote and `\\`
// a backslash. Each character is looked at once.

/** Each opening quote and the quote that closes it. */
const CLOSING: Readonly<Record<string, string>> = { '"': '"', '“': '”', '„': '“' };

const SPACE = /\s/;

/**
 * Splits command text into words, a quoted span (with its quotes, as typed) counting as part of its word.
 * An unclosed quote runs to the end of the text.
 */
export function splitArguments(text: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && SPACE.test(text[i]!)) i += 1;
    if (i >= text.length) break;
    const start = i;
    while (i < text.length && !SPACE.test(text[i]!)) {
      const close = CLOSING[text[i]!];
      if (text[i] === '\\') i += 2;
      else if (close === undefined) i += 1;
      else i = closingQuote(text, i + 1, close) + 1;
    }
    words.push(text.slice(start, Math.min(i, text.length)));
  }
  return words;
}

/** The index of the unescaped `close` at or after `from`, or the text's length when there is none. */
function closingQuote(text: string, from: number, close: string): number {
  let i = from;
  while (i < text.length && text[i] !== close) i += text[i] === '\\' ? 2 : 1;
  return Math.min(i, text.length);
}

/**
 * The value of one word: a wholly quoted word without its quotes and escapes (`"say \"hi\""` → `say "hi"`),
 * any other word as it is. Null when the word opens a quote it never closes.
 */
export function argumentValue(word: string): string | null {
  const close = CLOSING[word[0] ?? ''];
  if (close === undefined) return word;
  const end = closingQuote(word, 1, close);
  if (end !== word.length - 1) return end >= word.length ? null : word;
  let value = '';
  for (let i = 1; i < end; i += 1) {
    if (word[i] === '\\' && i + 1 < end) i += 1;
    value += word[i];
  }
  return value;
}
