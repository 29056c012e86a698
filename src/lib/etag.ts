import type { Context } from 'hono';
import { ApiError } from './errors';

/** More would make the guarded write's IN (...) list exceed D1's bound parameters. */
export const MAX_IF_MATCH_TAGS = 16;

/** Strong ETag of a versioned object: the version in quotes. */
export const etagOf = (version: number) => `"${version}"`;

/** What an If-Match header accepts: any current version ("*"), or these versions. */
export type Precondition = { any: true } | { versions: number[] };

/**
 * Parses If-Match (RFC 9110 §13.1.1). Weak tags never match (strong
 * comparison), nor do tags this service did not issue: a header holding only
 * those can never succeed. Absent header → undefined (last write wins).
 */
export function parseIfMatch(header: string | undefined): Precondition | undefined {
  if (header === undefined) return undefined;
  if (header.trim() === '*') return { any: true };
  const tags = header.split(',');
  if (tags.length > MAX_IF_MATCH_TAGS) {
    throw new ApiError('VALIDATION', `If-Match: must hold at most ${MAX_IF_MATCH_TAGS} entity tags`);
  }
  const versions: number[] = [];
  for (const tag of tags) {
    const match = /^\s*"(\d{1,15})"\s*$/.exec(tag);
    if (match) versions.push(Number(match[1]));
  }
  return { versions };
}

/** The request's If-Match, parsed. */
export const preconditionOf = (c: Context) => parseIfMatch(c.req.header('if-match'));

export const etagHeader = (version: number) => ({ ETag: etagOf(version) });
