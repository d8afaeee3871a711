import type { z } from 'zod';

/** A key prefix: letters, digits, `.`, `-`, `_`; in braces it is a Redis Cluster hash tag (`{psf}`). */
export const REDIS_PREFIX = /^(\{[A-Za-z0-9_.-]{1,64}\}|[A-Za-z0-9_.-]{1,64})$/;

/** Parses `host:port,host:port` (REDIS_CLUSTER_NODES, REDIS_SENTINELS). */
export function parseHostPorts(text: string): {
  nodes: { host: string; port: number }[];
  problems: string[];
} {
  const nodes: { host: string; port: number }[] = [];
  const problems: string[] = [];
  for (const entry of text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const match = /^\[?([^\s[\]]+?)\]?:(\d{1,5})$/.exec(entry);
    const port = Number(match?.[2]);
    if (!match || port < 1 || port > 65535) problems.push(`"${entry}" is not host:port`);
    else nodes.push({ host: match[1]!, port });
  }
  if (nodes.length === 0 && problems.length === 0) problems.push('names no host:port');
  return { nodes, problems };
}

/** A zod transform that parses a host:port list, reporting each problem under the variable's name. */
export const hostPortList =
  (what: string) =>
  (text: string | undefined, ctx: z.RefinementCtx): { host: string; port: number }[] | undefined => {
    if (text === undefined) return undefined;
    const { nodes, problems } = parseHostPorts(text);
    for (const problem of problems) ctx.addIssue({ code: 'custom', message: `${what}: ${problem}` });
    return nodes;
  };
