import { ApiError } from '../lib/errors';

/**
 * The service's own powers are the scope labels under `auth:`. They are
 * granted by configuration (the static admin, the operator tenant, a trusted
 * identity provider) and may be handed on only by a caller who holds them.
 */
export const READ_SCOPE = 'auth:read';
export const WRITE_SCOPE = 'auth:write';
/** Acting in another tenant (X-Tenant-Id): held only in the operator tenant. */
export const TENANTS_SCOPE = 'auth:tenants';
/** Asking this service whether a token is good (RFC 7662 introspection). */
export const INTROSPECT_SCOPE = 'auth:introspect';
export const PRIVILEGE_PREFIX = 'auth:';
/** What the static admin client's tokens carry. */
export const ADMIN_SCOPES = [READ_SCOPE, WRITE_SCOPE, TENANTS_SCOPE, INTROSPECT_SCOPE] as const;

export const isPrivilege = (label: string) => label.startsWith(PRIVILEGE_PREFIX);

/** The privileges a token's scopes amount to: auth:write includes auth:read. */
export function privilegesOf(scopes: ReadonlySet<string>): Set<string> {
  const held = new Set([...scopes].filter(isPrivilege));
  if (held.has(WRITE_SCOPE)) held.add(READ_SCOPE);
  return held;
}

/** The privileges among `labels` that `held` lacks, sorted, without repeats. */
export const lackedPrivileges = (labels: Iterable<string>, held: ReadonlySet<string>) =>
  [...new Set([...labels].filter((label) => isPrivilege(label) && !held.has(label)))].sort();

/** 403 naming the privileges the caller would hand on without holding them. */
export function escalationRefused(action: string, lacked: readonly string[]): ApiError {
  return new ApiError(
    'FORBIDDEN',
    `${action} would hand on ${lacked.join(', ')}, which this token does not carry (only a holder of a privilege can hand it on)`,
  );
}

export function refuseEscalation(action: string, labels: Iterable<string>, held: ReadonlySet<string>) {
  const lacked = lackedPrivileges(labels, held);
  if (lacked.length) throw escalationRefused(action, lacked);
}

/** The label auth:tenants exists only in the operator tenant: anywhere else it could never be granted. */
export function refuseReservedLabel(label: string, tenantId: string, operatorTenant: string) {
  if (label === TENANTS_SCOPE && tenantId !== operatorTenant) {
    throw new ApiError('FORBIDDEN', `label: ${TENANTS_SCOPE} is reserved to the operator tenant`);
  }
}
