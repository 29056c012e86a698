// Schemes a browser would execute or read locally instead of navigating to a client.
const forbiddenSchemes = new Set(['javascript:', 'data:', 'file:', 'vbscript:', 'blob:']);

/**
 * Why `value` is not an acceptable redirect URI, or null when it is.
 * RFC 6749 §3.1.2: absolute, no fragment. Custom schemes stay allowed for
 * native apps (RFC 8252 §7.1), and http for loopback development.
 */
export function redirectUriProblem(value: string): string | null {
  if (/[\s\u0000-\u001f\u007f]/.test(value)) return 'must not contain whitespace or control characters';
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute URI';
  }
  if (value.includes('#')) return 'must not contain a fragment';
  if (forbiddenSchemes.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  return null;
}
