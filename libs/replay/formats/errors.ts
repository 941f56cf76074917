/**
 * Thrown by the replay input parsers only when a whole input is unusable (not JSON, no entries,
 * unreadable file). A malformed record never throws: it becomes a FormatProblem.
 */
export class ReplayInputError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReplayInputError';
  }
}
