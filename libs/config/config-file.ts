/** The YAML config file: a mapping of settings, each a string, a number, a boolean or a list of them. */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigFileError } from '../errors.js';

const settings = z.record(z.string(), z.unknown());

// Any number, as YAML gives it (.nan and .inf too): the option table's parser words the refusal.
const yamlNumber = z.custom<number>((v) => typeof v === 'number').transform(String);

/** One setting's value as the text a flag or a variable would carry (a list comma-separated). */
const setting = z.union([z.string(), yamlNumber, z.boolean().transform(String), z.array(z.union([z.string(), yamlNumber])).transform((items) => items.join(','))]);

/** The setting as text, or undefined when it is none of the forms above. */
export function settingText(value: unknown): string | undefined {
  const parsed = setting.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigFileError(`cannot read config file ${path}: ${(error as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (error) {
    throw new ConfigFileError(`config file ${path} is not valid YAML: ${(error as Error).message}`);
  }
  if (doc === null || doc === undefined) return {};
  const parsed = settings.safeParse(doc);
  if (!parsed.success) throw new ConfigFileError(`config file ${path} must be a YAML mapping of settings`);
  return parsed.data;
}
