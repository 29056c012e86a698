// What an API refusal means for the person at the console, in words. Pure: the
// API's errorCode, status and errorMessage in, one sentence (or null) out.

export interface Refusal {
  status: number;
  errorCode: string;
  errorMessage: string;
}

const quoted = (message: string, pattern: RegExp) => pattern.exec(message)?.[1];

export function explain({ status, errorCode, errorMessage }: Refusal): string | null {
  if (status === 403 && /would hand on/.test(errorMessage)) {
    const powers = quoted(errorMessage, /would hand on (.+?), which/) ?? 'a privilege';
    return (
      `Refused to protect the tenant boundary: this would give ${powers} to a client, and your own token does not carry it. ` +
      'Only a holder of a privilege can hand it on, so nobody can raise a client (or themselves) above their own powers. ' +
      'Ask an operator whose token carries it.'
    );
  }
  if (status === 403 && /reserved to the operator tenant/.test(errorMessage)) {
    return 'auth:tenants (acting in other tenants) exists only in the operator tenant: no other tenant can create or hold it.';
  }
  if (status === 403 && /X-Tenant-Id needs scope/.test(errorMessage)) {
    return 'Only operators (tokens with auth:tenants from the operator tenant) can act in another tenant.';
  }
  if (status === 403 && /needs scope (\S+)/.test(errorMessage)) {
    const scope = quoted(errorMessage, /needs scope (\S+)/);
    return `Your token does not carry ${scope}. Sign in with a client that has it.`;
  }
  if (status === 403 && /reaches more than/.test(errorMessage)) {
    return 'This client already reaches the most scopes one client may hold (counting transient scopes): detach some first.';
  }
  if (status === 412) {
    return 'This changed since you opened it (someone else saved first). Reload to see the current version, then make your change again.';
  }
  if (status === 409) return 'This conflicts with what exists now: an id or label already taken, or a limit reached.';
  if (status === 404) return 'It no longer exists (deleted, or in another tenant).';
  if (status === 413) return 'Too large: shorten the values.';
  if (status === 429) return 'Too many requests: wait a little and try again.';
  if (status === 401 && errorCode === 'invalid_client') return 'Wrong client id or secret, or the secret has expired.';
  if (status === 401) return 'Your session ended: sign in again.';
  if (status === 0) return 'The service could not be reached: check your connection.';
  if (status >= 500) return 'The service failed; nothing was changed. Try again in a moment.';
  if (errorCode === 'VALIDATION') return 'Check the field named above.';
  return null;
}
