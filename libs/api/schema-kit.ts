/**
 * TypeBox builders for the JSON Schema spellings the report API has always published: a nullable
 * value as `type: [t, 'null']` (not anyOf), a string enum with its `type`, a map as
 * `additionalProperties`. The JSON schemas stay byte for byte what fastify serializes with and
 * /openapi.json documents; the static types follow from them.
 */
import { Type, type Static, type TSchema } from 'typebox';

type Options = Record<string, unknown>;

/** `{ type: [t, 'null'] }` of a scalar schema. */
export function nullable<T extends TSchema>(schema: T, options: Options = {}) {
  const { type, ...rest } = schema as unknown as { type: string };
  return Type.Unsafe<Static<T> | null>({ ...rest, type: [type, 'null'], ...options });
}

/** `{ type: 'string', enum: [...] }`. */
export function stringEnum<const V extends readonly string[]>(values: V, options: Options = {}) {
  return Type.Unsafe<V[number]>({ type: 'string', enum: values, ...options });
}

/** `{ type: 'object', additionalProperties: value }`: a map with any keys. */
export function mapOf<T extends TSchema>(value: T, options: Options = {}) {
  return Type.Unsafe<Record<string, Static<T>>>({ type: 'object', ...options, additionalProperties: value });
}
