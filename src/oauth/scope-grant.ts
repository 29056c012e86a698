import { OAuthError } from './oauth-error';

/**
 * The scope to grant: everything allowed when nothing is asked for, otherwise
 * exactly what was asked, provided all of it is allowed (RFC 6749 §3.3).
 */
export function grantScopes(allowed: readonly string[], requested: string | null): string[] {
  if (requested === null) return [...new Set(allowed)].sort();
  const asked = requested.split(' ').filter(Boolean);
  if (asked.length === 0) throw new OAuthError('invalid_scope', 'the scope parameter is empty');
  const allowedSet = new Set(allowed);
  const refused = asked.filter((label) => !allowedSet.has(label));
  if (refused.length) {
    throw new OAuthError('invalid_scope', `scope not allowed for this client: ${refused.slice(0, 5).join(' ').slice(0, 300)}`);
  }
  return [...new Set(asked)];
}
