/**
 * mirror-target: which mirrored requests may be sent to the primary. The primary may be production
 * itself, so a mirrored POST must not write a second time: only the listed methods (--mirror-methods,
 * GET, HEAD and OPTIONS by default) are sent; any other is skipped as `unsafe_method`.
 */
export type MethodRule = (method: string) => 'send' | 'unsafe_method';

export function createMethodRule(methods: readonly string[]): MethodRule {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  // Methods are case-sensitive (RFC 9110 §9.1): `get` is not GET, and is not sent.
  return (method) => (allowed.has(method) ? 'send' : 'unsafe_method');
}
