/**
 * Copies an upstream's response body to the client. `stream/promises` pipeline() would do it, but
 * it costs an AbortController per request, aborted (a DOMException with its stack) at the end: a
 * tenth of a proxy's main thread. pipe() with the two ways it can end early handled by hand does
 * the same work: the client sees exactly the bytes the upstream sent, in order, with backpressure.
 */
import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';

/** Resolves true once the whole body is handed to the client; false when either side went away first. */
export function forwardBody(source: Readable, res: ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    // Whichever end comes first settles it; the listeners stay, so a late error is still handled.
    source.on('error', () => {
      // The upstream went away mid-body: the client must not take a cut body for a whole one.
      res.destroy();
      resolve(false);
    });
    res.once('finish', () => resolve(true));
    res.once('close', () => {
      if (res.writableFinished) return;
      // The client went away: stop reading what nobody will receive.
      source.destroy();
      resolve(false);
    });
    source.pipe(res);
  });
}
