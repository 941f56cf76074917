/**
 * At most `max` distinct endpoints per run; past it a new template is counted under `OTHER`, so
 * unique paths (`/search/<word>`) cannot grow the report, the metrics or memory without bound.
 *
 * The known endpoints come from the store (they survive restarts and are shared by several
 * comparator processes) and are cached here. Within one process the cap is exact. Across processes
 * the store is read again before each admission, so only templates admitted at the same moment by
 * two processes can pass the cap: a couple at most, never a growing number.
 */
import { defaultValue } from '../../libs/config/load-config.js';
import { OTHER_ENDPOINT, runEndpoints, runHasEndpoint, type Store } from '../../libs/store/index.js';

export type EndpointCap = (run: string, template: string) => Promise<string>;

export function createEndpointCap(store: Store | undefined, max = defaultValue('maxEndpoints') as number): EndpointCap {
  if (!store) return async (_run, template) => template;
  const known = new Map<string, Set<string>>();
  const load = async (run: string) => {
    const stored = await runEndpoints(store, run);
    // Merged, not replaced: templates admitted here may still wait in an uncommitted batch.
    let set = known.get(run);
    if (!set) known.set(run, (set = new Set()));
    for (const endpoint of stored) if (endpoint !== OTHER_ENDPOINT) set.add(endpoint);
    return set;
  };
  return async (run, template) => {
    let endpoints = known.get(run) ?? (await load(run));
    if (endpoints.has(template)) return template;
    // Another process may have admitted it: one index seek, and the same name everywhere.
    if (await runHasEndpoint(store, run, template)) {
      endpoints.add(template);
      return template;
    }
    // After every wait, a concurrent job of this process may have admitted it: it is in, not OTHER.
    if (endpoints.has(template)) return template;
    if (endpoints.size >= max) return OTHER_ENDPOINT;
    endpoints = await load(run);
    if (endpoints.has(template)) return template;
    if (endpoints.size >= max) return OTHER_ENDPOINT;
    endpoints.add(template);
    return template;
  };
}
