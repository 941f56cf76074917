/**
 * The web report: three HTML pages and their assets, plain ES modules and CSS with no build step.
 * - GET /                   the run: summary, gate, endpoints, fields, discrepancies (web/index.html)
 * - GET /discrepancies/:id  one discrepancy, primary and shadow side by side (web/discrepancy.html)
 * - GET /compare            two runs field by field: what the head fixed or broke (web/compare.html)
 * - GET /assets/*           web/ (pages' scripts and styles)
 * - GET /assets/jsondiffpatch/*  jsondiffpatch's lib/ (ES modules, html formatter and its CSS)
 * - GET /assets/diff-match-patch/index.js  its text-diff dependency, one ES module
 * - GET /assets/uplot/uPlot.esm.js, uPlot.min.css  the timeline charts' library (uPlot), from node_modules
 * The pages and assets hold no data: they are public (auth.ts), and read the JSON API from the
 * browser (same origin, with the session cookie, which is scoped to /api/v1). A page whose API
 * calls answer 401 goes to /login, which brings the browser back to it.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { InternalError } from '../../libs/errors.js';

/** services/report-api/web at the package root: two levels up from the sources, three from dist/. */
export function webFolder(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (const up of ['../..', '../../..']) {
    const candidate = resolve(here, up, 'services/report-api/web');
    if (existsSync(resolve(candidate, 'index.html'))) return candidate;
  }
  throw new InternalError(`web report assets (services/report-api/web) not found above ${here}`);
}

/** jsondiffpatch's lib/ folder: its ES modules import each other by relative paths only. */
export function jsondiffpatchFolder(): string {
  return dirname(createRequire(import.meta.url).resolve('jsondiffpatch'));
}

/**
 * diff-match-patch, jsondiffpatch's own dependency (one self-contained ES module), for character
 * diffs of long strings; null when it cannot be found (the page then shows long strings replaced whole).
 */
export function diffMatchPatchFolder(): string | null {
  try {
    return dirname(createRequire(resolve(jsondiffpatchFolder(), 'index.js')).resolve('@dmsnell/diff-match-patch'));
  } catch {
    return null;
  }
}

/** uPlot's dist/ folder: one ES module and its stylesheet. */
export function uplotFolder(): string {
  return dirname(createRequire(import.meta.url).resolve('uplot'));
}

/** Pages load scripts and styles from this origin only (no inline script or style, no eval). */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

export interface WebRoutesOptions {
  /** Defaults to webFolder(). */
  root?: string;
}

export const webRoutes: FastifyPluginAsync<WebRoutesOptions> = async (app, opts) => {
  const root = opts.root ?? webFolder();
  // Every route of this plugin, the static ones included, is public: shells and assets, no data.
  app.addHook('onRoute', (route) => {
    route.config = { ...route.config, public: true };
  });
  const page = (file: string) => async (_req: FastifyRequest, reply: FastifyReply) =>
    reply
      .headers(PAGE_HEADERS)
      .type('text/html; charset=utf-8')
      .send(await readFile(resolve(root, file), 'utf8'));

  app.get('/', { schema: { hide: true } }, page('index.html'));
  app.get<{ Params: { id: string } }>('/discrepancies/:id', { schema: { hide: true } }, page('discrepancy.html'));
  app.get('/compare', { schema: { hide: true } }, page('compare.html'));

  await app.register(fastifyStatic, {
    root: jsondiffpatchFolder(),
    prefix: '/assets/jsondiffpatch/',
    decorateReply: false,
    schemaHide: true,
    index: false,
    // Only the ES modules and the stylesheets: no type declarations, nothing else from node_modules.
    allowedPath: (pathname) => /\.(?:js|css)$/.test(pathname),
  });
  await app.register(fastifyStatic, {
    root: uplotFolder(),
    prefix: '/assets/uplot/',
    decorateReply: false,
    schemaHide: true,
    index: false,
    allowedPath: (pathname) => pathname === '/uPlot.esm.js' || pathname === '/uPlot.min.css',
  });
  const dmp = diffMatchPatchFolder();
  if (dmp) {
    await app.register(fastifyStatic, {
      root: dmp,
      prefix: '/assets/diff-match-patch/',
      decorateReply: false,
      schemaHide: true,
      index: false,
      allowedPath: (pathname) => pathname === '/index.js',
    });
  }
  await app.register(fastifyStatic, {
    root,
    prefix: '/assets/',
    decorateReply: false,
    schemaHide: true,
    index: false,
    allowedPath: (pathname) => /\.(?:js|css|svg)$/.test(pathname),
  });
};
