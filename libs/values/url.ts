/**
 * A URL as a setting, a flag or a parameter gives it: parsed by the WHATWG parser (what undici
 * connects to) and of an allowed scheme. The wording of the refusal is each caller's, pinned by
 * its tests: the option table names the schemes (`a http: or https: URL`), the CLI shows an example
 * (`a URL such as http://127.0.0.1:8081`).
 */

export const HTTP_SCHEMES = ['http:', 'https:'] as const;

export interface UrlRules {
  /** Protocols accepted, with their colon. */
  schemes: readonly string[];
  /** How the refusal names the schemes; default `a http: or https:`. */
  schemeWords?: string;
  /** Shown when the text is no URL at all: `must be a URL such as <example>`. */
  example?: string;
}

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: 'syntax' | 'scheme'; problem: string };

/** `shown`: the text as given, for the message, when `text` was trimmed. */
export function checkUrl(text: string, rules: UrlRules, shown = text): UrlCheck {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: 'syntax', problem: `must be a URL${rules.example ? ` such as ${rules.example}` : ''}, got '${shown}'` };
  }
  if (!rules.schemes.includes(url.protocol)) {
    return { ok: false, reason: 'scheme', problem: `must be ${rules.schemeWords ?? `a ${rules.schemes.join(' or ')}`} URL, got '${shown}'` };
  }
  return { ok: true, url };
}

/**
 * Text that begins `http://` or `https://` and a host, as written: the report API's replay body
 * asks that much of a baseline before its origin is checked (the WHATWG parser alone would also
 * take `HTTP://x` and `http:x`).
 */
export function writtenAsHttpUrl(text: string): boolean {
  return /^https?:\/\/[^/]/.test(text);
}

/** The report API's address as the gate and compare commands take it (--report). */
export const REPORT_URL: UrlRules = { schemes: HTTP_SCHEMES, schemeWords: 'an http(s)', example: 'http://127.0.0.1:8081' };
