/** The ingress process: the proxy app, its drop reporting, and its lifecycle. */
import { DropCounter } from '../../libs/capture/drop-counter.js';
import { ExchangeRecorder } from '../../libs/capture/exchange-recorder.js';
import type { ShadowDiffConfig } from '../../libs/config/load-config.js';
import type { JobPublisher } from '../../libs/queue/queue.js';
import { buildIngressApp, type IngressApp } from './ingress-app.js';

export interface IngressService extends IngressApp {
  drops: DropCounter;
  recorder: ExchangeRecorder;
  url: string;
  /** Stops accepting, finishes in-flight requests and pairs, reports drops. */
  close(): Promise<void>;
}

export async function startIngress(
  config: Pick<
    ShadowDiffConfig,
    | 'primary'
    | 'shadow'
    | 'secondary'
    | 'listen'
    | 'run'
    | 'mirrorPercent'
    | 'mirrorMethods'
    | 'shadowHostSuffix'
    | 'shadowTimeoutMs'
    | 'shadowMaxInFlight'
    | 'captureMaxBytes'
    | 'primaryTimeoutMs'
  >,
  publisher: JobPublisher,
): Promise<IngressService> {
  if (!config.primary || !config.shadow) throw new Error('primary and shadow are required');
  const drops = new DropCounter(publisher);
  const recorder = new ExchangeRecorder(publisher, drops);
  const ingress = buildIngressApp({
    primary: config.primary,
    shadow: config.shadow,
    secondary: config.secondary,
    run: config.run,
    mirrorPercent: config.mirrorPercent,
    mirrorMethods: config.mirrorMethods,
    shadowHostSuffix: config.shadowHostSuffix,
    shadowTimeoutMs: config.shadowTimeoutMs,
    shadowMaxInFlight: config.shadowMaxInFlight,
    captureMaxBytes: config.captureMaxBytes,
    primaryTimeoutMs: config.primaryTimeoutMs,
    recorder,
    drops,
  });
  const url = await ingress.app.listen({ host: config.listen.host, port: config.listen.port });
  drops.start();
  return {
    ...ingress,
    drops,
    recorder,
    url,
    async close() {
      await ingress.close();
      await ingress.drain();
      await drops.stop();
    },
  };
}
