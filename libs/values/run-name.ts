/**
 * A run name (and the queue prefix, which has the same form): letters, digits, '.', '_', ':' and
 * '-', starting with a letter or digit, so it is safe in a URL, a Redis key and a log line.
 */

/** The report API's schemas write the same form as a JSON Schema pattern. */
export const RUN_NAME_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._:-]*$';
export const RUN_NAME_MAX_LENGTH = 100;
const RUN_NAME = new RegExp(RUN_NAME_PATTERN);

export function isRunName(text: string, maxLength = RUN_NAME_MAX_LENGTH): boolean {
  return text.length <= maxLength && RUN_NAME.test(text);
}

export type RunNameCheck = { ok: true; value: string } | { ok: false; problem: string };

/** `maxLength`: 100 for a run, 64 for the queue prefix. */
/** `shown`: the text as given, for the message, when `text` was trimmed. */
export function checkRunName(text: string, maxLength = RUN_NAME_MAX_LENGTH, shown = text): RunNameCheck {
  if (isRunName(text, maxLength)) return { ok: true, value: text };
  return { ok: false, problem: `must be 1-${maxLength} letters, digits, '.', '_', ':' or '-', got '${shown}'` };
}
