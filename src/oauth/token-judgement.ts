import { sql } from 'drizzle-orm';
import { InvalidTokenError, verifyAccessToken, type VerifiedToken } from '../auth/access-tokens';
import { adminIdentityOf } from '../auth/admin-identity';
import { livenessOf } from '../auth/token-liveness';
import { trustedIssuersOf } from '../auth/trusted-issuers';
import type { Database } from '../db';
import type { AppBindings } from '../lib/create-router';

/** RFC 7662 §2.2: an inactive token gets this and nothing else, whatever made it inactive. */
export const INACTIVE = { active: false } as const;

export interface ActiveToken {
  active: true;
  /** The token's scopes: all still held by its client, or it would not be active. */
  scope: string;
  client_id: string;
  sub: string;
  tenant: string;
  exp: number;
  iat?: number;
  iss: string;
  aud: string | string[];
  token_type: 'Bearer';
}

export type Judgement = typeof INACTIVE | ActiveToken;

/**
 * This service's judgement of one of its own tokens: signature, issuer,
 * audience, expiry, then revocation (one D1 query). The external provider's
 * tokens are not judged here (they cannot be revoked here): inactive.
 */
export async function judgeToken(env: AppBindings, db: Database, token: string): Promise<{ judgement: Judgement; verified?: VerifiedToken }> {
  let verified: VerifiedToken;
  try {
    verified = await verifyAccessToken(token, await trustedIssuersOf(env));
  } catch (error) {
    if (error instanceof InvalidTokenError) return { judgement: INACTIVE };
    throw error;
  }
  const live = livenessOf(verified, await adminIdentityOf(env));
  if (!live || typeof verified.tenant !== 'string') return { judgement: INACTIVE, verified };
  const [row] = await db.all<{ live: number }>(sql`SELECT ${live} AS live`);
  if (row?.live !== 1) return { judgement: INACTIVE, verified };
  return {
    verified,
    judgement: {
      active: true,
      scope: [...verified.scopes].join(' '),
      client_id: verified.clientId,
      sub: verified.subject,
      tenant: verified.tenant,
      exp: verified.expiresAt,
      ...(verified.issuedAt !== undefined ? { iat: verified.issuedAt } : {}),
      iss: verified.issuer,
      aud: verified.audience,
      token_type: 'Bearer',
    },
  };
}
