/** A goal from issue 7: the figure must be at least, at most or exactly `value`. */
export interface Goal {
  op: '>=' | '<=' | '=';
  value: number;
}

/** One printed figure; `value` is null when its scenario failed or ran out of time. */
export interface Figure {
  name: string;
  value: number | null;
  unit: string;
  goal?: Goal;
  /** How it was obtained (sample sizes, caps, causes): shown in the table and on stderr, never in JSON. */
  note?: string;
}

export const atLeast = (value: number): Goal => ({ op: '>=', value });
export const atMost = (value: number): Goal => ({ op: '<=', value });
export const exactly = (value: number): Goal => ({ op: '=', value });

/** Builds a figure, rounding the value to `digits` decimals. */
export function figure(
  name: string,
  value: number | null,
  unit: string,
  extra: { goal?: Goal; note?: string; digits?: number } = {},
): Figure {
  const digits = extra.digits ?? 3;
  const rounded = value === null || !Number.isFinite(value) ? null : Number(value.toFixed(digits));
  return {
    name,
    value: rounded,
    unit,
    ...(extra.goal ? { goal: extra.goal } : {}),
    ...(extra.note ? { note: extra.note } : {}),
  };
}

/** The goal as printed: `>= 0.9`, `<= 5`, `= 0`. */
export function goalText(goal: Goal): string {
  return `${goal.op} ${goal.value}`;
}

/** Whether the figure meets its goal; null when it has none or no value. */
export function meetsGoal(item: Figure): boolean | null {
  if (!item.goal || item.value === null) return null;
  const { op, value } = item.goal;
  if (op === '>=') return item.value >= value;
  if (op === '<=') return item.value <= value;
  return item.value === value;
}

/** The `--json` line of issue 7: `{ "name", "value", "unit", "goal"? }`. */
export function jsonLine(item: Figure): string {
  return JSON.stringify({
    name: item.name,
    value: item.value,
    unit: item.unit,
    ...(item.goal ? { goal: goalText(item.goal) } : {}),
  });
}

/** A fixed-width table with a verdict column (ok / MISSED / blank when there is no goal). */
export function table(items: readonly Figure[]): string {
  const rows = items.map((item) => {
    const verdict = meetsGoal(item);
    return [
      item.name,
      item.value === null ? 'n/a' : String(item.value),
      item.unit,
      item.goal ? goalText(item.goal) : '',
      verdict === null ? '' : verdict ? 'ok' : 'MISSED',
      item.note ?? '',
    ];
  });
  const header = ['figure', 'value', 'unit', 'goal', 'verdict', 'note'];
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (i === 5 ? 0 : row[i]!.length))),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === 1 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** The `p`th percentile (nearest rank) of samples; NaN for none. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length) - 1;
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank))]!;
}
