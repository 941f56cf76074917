/** Why a publish was refused; the ingress maps each to a drop reason. */
export class QueueUnavailableError extends Error {
  override name = 'QueueUnavailableError';
}

export class QueueFullError extends Error {
  override name = 'QueueFullError';
}
