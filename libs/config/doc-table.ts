/** The generated tables of the docs: each is rewritten in place, from its header line to the blank line after it. */
import { readFileSync, writeFileSync } from 'node:fs';

/** `doc` with the table that starts with `table`'s header line replaced by `table`. */
export function withTable(doc: string, table: string): string {
  const header = table.slice(0, table.indexOf('\n'));
  const start = doc.indexOf(header);
  if (start < 0) throw new Error(`no table "${header}" in the doc`);
  const end = doc.indexOf('\n\n', start);
  return doc.slice(0, start) + table + (end < 0 ? '\n' : doc.slice(end));
}

export function rewriteTable(file: URL, table: string): void {
  writeFileSync(file, withTable(readFileSync(file, 'utf8'), table));
}
