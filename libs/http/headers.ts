/** Headers as shadow-diff handles them at every stage. */

/** Header map as undici and node:http give it: lower-case names. */
export type HeaderMap = Record<string, string | string[]>;
