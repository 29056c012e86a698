import { WorkerEntrypoint } from 'cloudflare:workers';
import { MAX_BEARER_TOKEN_BYTES } from './auth/access-tokens';
import { configurationProblem } from './config';
import { createDb } from './db';
import type { AppBindings } from './lib/create-router';
import { INACTIVE, judgeToken, type Judgement } from './oauth/token-judgement';

export interface VerifyOptions {
  /** The token's `aud` must include it. */
  audience?: string;
  /** The token must carry every one of them. */
  requiredScopes?: string[];
  /** The token must act in this tenant. */
  tenant?: string;
}

const MAX_REQUIRED_SCOPES = 256;

function optionsProblem(token: unknown, options: VerifyOptions): string | null {
  if (typeof token !== 'string') return 'token: must be a string';
  if (options === null || typeof options !== 'object') return 'options: must be an object';
  const { audience, requiredScopes, tenant } = options;
  if (audience !== undefined && typeof audience !== 'string') return 'audience: must be a string';
  if (tenant !== undefined && typeof tenant !== 'string') return 'tenant: must be a string';
  if (requiredScopes !== undefined) {
    if (!Array.isArray(requiredScopes) || requiredScopes.some((s) => typeof s !== 'string')) {
      return 'requiredScopes: must be an array of strings';
    }
    if (requiredScopes.length > MAX_REQUIRED_SCOPES) return `requiredScopes: at most ${MAX_REQUIRED_SCOPES}`;
  }
  return null;
}

/**
 * For resource-server Workers on the same account, through a service binding
 * (`entrypoint = "TokenVerifier"`): the binding is the authentication, and
 * only Workers deployed to this account can declare one. `verify` gives the
 * same judgement as POST /oauth/introspect, checked against the D1 primary so
 * that a revocation is seen at once, with no HTTP and no public endpoint.
 */
export class TokenVerifier extends WorkerEntrypoint<AppBindings> {
  async verify(token: string, options: VerifyOptions = {}): Promise<Judgement> {
    const problem = optionsProblem(token, options);
    if (problem) throw new TypeError(`verify: ${problem}`);
    const unconfigured = configurationProblem(this.env);
    if (unconfigured) throw new Error(`the token service is not configured: ${unconfigured}`);
    if (token.length > MAX_BEARER_TOKEN_BYTES) return INACTIVE;
    const db = createDb(this.env.DB.withSession('first-primary'));
    const { judgement } = await judgeToken(this.env, db, token);
    if (!judgement.active) return judgement;
    const audiences = Array.isArray(judgement.aud) ? judgement.aud : [judgement.aud];
    if (options.audience !== undefined && !audiences.includes(options.audience)) return INACTIVE;
    if (options.tenant !== undefined && judgement.tenant !== options.tenant) return INACTIVE;
    const scopes = new Set(judgement.scope.split(' '));
    if (options.requiredScopes?.some((scope) => !scopes.has(scope))) return INACTIVE;
    return judgement;
  }
}
