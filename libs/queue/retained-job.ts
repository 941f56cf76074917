/**
 * What a job that failed for good keeps in Redis: its shape for diagnosis, without the bodies and
 * query strings it carried (they were not redacted yet: body redaction happens in the comparator).
 */
export function withoutBodies(data: unknown): unknown {
  if (Array.isArray(data)) return data.map(withoutBodies);
  if (data === null || typeof data !== 'object') return data;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(data)) {
    if (key === 'base64' && typeof value === 'string') out[key] = '';
    else if (key === 'url' && typeof value === 'string') out[key] = value.split('?')[0];
    else out[key] = withoutBodies(value);
  }
  return out;
}
