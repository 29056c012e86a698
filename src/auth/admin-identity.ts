import { base64url } from 'jose';
import { adminClientOf, type ConfigBindings } from '../config';

/** Which tokens are the static admin's, and the proof its current tokens carry (claim `adm`). */
export interface AdminIdentity {
  id: string;
  /** Derived from ADMIN_CLIENT_ID, ADMIN_CLIENT_SECRET and ADMIN_TENANT: changing any revokes its tokens. */
  proof: string;
}

const proofs = new Map<string, Promise<string>>();

/**
 * The static admin's identity for this configuration. Its tokens live in no
 * table, so revoking them is changing the configuration: a token whose proof is
 * not the current one is refused. The proof is a hash, so it tells nothing of
 * the secret (which is at least 32 characters). Computed once per isolate.
 */
export async function adminIdentityOf(env: ConfigBindings): Promise<AdminIdentity> {
  const { id, secret, tenant } = adminClientOf(env);
  const material = `edge-oauth-clients admin token proof\n${id}\n${tenant}\n${secret}`;
  let proof = proofs.get(material);
  if (!proof) {
    proof = crypto.subtle
      .digest('SHA-256', new TextEncoder().encode(material))
      .then((digest) => base64url.encode(new Uint8Array(digest).slice(0, 16)));
    proofs.clear(); // one configuration at a time
    proofs.set(material, proof);
  }
  return { id, proof: await proof };
}
