/**
 * Redaction of form bodies by field name: `application/x-www-form-urlencoded` and
 * `multipart/form-data`. A field is redacted when a JSON path pattern matches a top-level key of
 * that name (`$.password`, `$..password`), as if the form were a flat JSON object.
 */

function decodeFormComponent(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/** Returns the redacted body text, or null when no field was redacted. */
export function redactUrlEncodedForm(text: string, redacts: (name: string) => boolean, mask: (value: string) => string): string | null {
  let changed = false;
  const out = text.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    if (eq === -1 || !redacts(decodeFormComponent(pair.slice(0, eq)))) return pair;
    changed = true;
    return `${pair.slice(0, eq)}=${encodeURIComponent(mask(decodeFormComponent(pair.slice(eq + 1))))}`;
  });
  return changed ? out.join('&') : null;
}

/** A body with no content type that reads as `name=value&…`. */
export function looksLikeUrlEncodedForm(text: string): boolean {
  return /^[A-Za-z0-9._~%+*-]+=[^&\s]*(?:&[A-Za-z0-9._~%+*-]+=[^&\s]*)*$/.test(text);
}

export function multipartBoundary(contentType: string | undefined): string | null {
  if (!contentType || !/^\s*multipart\/form-data\s*;/i.test(contentType)) return null;
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return m?.[1] ?? m?.[2] ?? null;
}

/**
 * Replaces the content of each named part that is redacted. Parts are delimited by the boundary
 * lines; each part's headers end at the first blank line. Works on latin1 text so binary parts
 * pass through byte for byte.
 */
export function redactMultipart(bytes: Buffer, boundary: string, redacts: (name: string) => boolean, mask: (value: string) => string): Buffer | null {
  const text = bytes.toString('latin1');
  const delimiter = `--${boundary}`;
  const pieces = text.split(delimiter);
  let changed = false;
  for (let i = 1; i < pieces.length; i++) {
    const piece = pieces[i] as string;
    const headerEnd = piece.indexOf('\r\n\r\n');
    if (headerEnd === -1) continue;
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(piece.slice(0, headerEnd))?.[1];
    if (name === undefined || !redacts(name)) continue;
    const contentStart = headerEnd + 4;
    const contentEnd = piece.endsWith('\r\n') ? piece.length - 2 : piece.length;
    const value = Buffer.from(piece.slice(contentStart, contentEnd), 'latin1').toString('utf8');
    pieces[i] = `${piece.slice(0, contentStart)}${mask(value)}${piece.slice(contentEnd)}`;
    changed = true;
  }
  return changed ? Buffer.from(pieces.join(delimiter), 'latin1') : null;
}
