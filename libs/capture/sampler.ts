/** Decides which requests are mirrored: the method must be listed, then `percent` of them are drawn. */
export type Sampler = (method: string) => boolean;

export function createSampler(methods: readonly string[], percent: number, random: () => number = Math.random): Sampler {
  const allowed = new Set(methods.map((m) => m.toUpperCase()));
  if (percent <= 0) return () => false;
  if (percent >= 100) return (method) => allowed.has(method);
  const threshold = percent / 100;
  return (method) => allowed.has(method) && random() < threshold;
}
