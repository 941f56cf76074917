/**
 * Why a publish was refused; the ingress maps each to a drop reason. Control flow, not ShadowDiffErrors:
 * no person or script sees them, only the drop they are counted as.
 */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}
