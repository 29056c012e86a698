import { sql } from 'drizzle-orm';
import type { Database } from '../db';

export interface ClientCredentialsRecord {
  id: string;
  tenantId: string;
  public: boolean;
  digests: string[];
  /** Labels of the attached scopes and, transitively, of their transient scopes. */
  scopeLabels: string[];
}

/**
 * Everything the token endpoint needs, in one query: the client, its secret
 * digests and its scope closure. UNION (not UNION ALL) in the recursive CTE
 * drops scopes already reached, so cycles between scopes terminate.
 */
export async function findClientForToken(db: Database, clientId: string): Promise<ClientCredentialsRecord | null> {
  const [row] = await db.all<{
    id: string;
    tenant_id: string;
    public: number;
    digests: string;
    labels: string;
  }>(sql`
    WITH RECURSIVE
      client AS (SELECT id, tenant_id, public FROM clients WHERE id = ${clientId}),
      closure(scope_id) AS (
        SELECT cs.scope_id FROM client_scopes cs JOIN client ON cs.tenant_id = client.tenant_id AND cs.client_id = client.id
        UNION
        SELECT st.transient_scope_id FROM scope_transients st
        JOIN closure ON st.scope_id = closure.scope_id
        JOIN client ON st.tenant_id = client.tenant_id
      )
    SELECT client.id, client.tenant_id, client.public,
      (SELECT json_group_array(s.digest) FROM client_secrets s
        WHERE s.tenant_id = client.tenant_id AND s.client_id = client.id) AS digests,
      (SELECT json_group_array(sc.label) FROM scopes sc
        WHERE sc.tenant_id = client.tenant_id AND sc.id IN (SELECT scope_id FROM closure)) AS labels
    FROM client`);
  if (!row) return null;
  return {
    id: row.id,
    tenantId: row.tenant_id,
    public: Boolean(row.public),
    digests: JSON.parse(row.digests),
    scopeLabels: JSON.parse(row.labels),
  };
}
