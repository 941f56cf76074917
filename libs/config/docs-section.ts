/**
 * Regenerates one section of a markdown file between two HTML comments, e.g.
 * `<!-- store-bench:begin -->` … `<!-- store-bench:end -->`, leaving the rest as it is: the
 * benchmarks' figures (`npm run bench`) and the table of docs/errors.md (`npm run docs:errors`).
 * Without the markers the section is appended, markers included, so the next run finds it.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export const markers = (name: string) => ({ begin: `<!-- ${name}:begin -->`, end: `<!-- ${name}:end -->` });

export function replaceSection(doc: string, name: string, body: string): string {
  const { begin, end } = markers(name);
  const block = `${begin}\n${body.trim()}\n${end}`;
  const start = doc.indexOf(begin);
  const stop = doc.indexOf(end);
  if (start === -1 && stop === -1) return `${doc.trimEnd()}\n\n${block}\n`;
  if (start === -1 || stop === -1 || stop < start) throw new Error(`the markers ${begin} and ${end} are not both there, in that order`);
  return doc.slice(0, start) + block + doc.slice(stop + end.length);
}

export function writeSection(file: string, name: string, body: string): void {
  writeFileSync(file, replaceSection(readFileSync(file, 'utf8'), name, body));
}
