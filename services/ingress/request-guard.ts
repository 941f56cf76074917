/**
 * Watches one proxied request for the two ways it can end early on the client's side: the client
 * leaves before its response is complete, or it does not send its whole request within the request
 * timeout (answered 408). Either ends the primary's request through `signal`, so no connection to
 * the primary is left waiting for a body that will never come.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { RequestTimeoutError } from '../../libs/errors.js';

export class RequestGuard {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;
  /** The primary's response body once it streams: if it failed first, the primary went away, not the client. */
  upstreamBody: Readable | null = null;
  clientGone = false;
  timedOut = false;

  constructor(
    private readonly req: IncomingMessage,
    private readonly res: ServerResponse,
    opts: { withBody: boolean; timeoutMs: number },
    private readonly onTimeout: () => void,
  ) {
    res.once('close', () => {
      // A response can be over before the request is (a primary that answers early): the timer
      // then keeps watching the rest of the body.
      if (req.complete || req.socket.destroyed) clearTimeout(this.timer);
      if (this.timedOut || res.writableFinished || this.upstreamBody?.errored) return;
      this.clientGone = true;
      this.abort();
    });
    // Without a body the request was whole with its headers; only a body can be slow.
    if (opts.withBody && !req.complete) {
      this.timer = setTimeout(() => this.expire(opts.timeoutMs), opts.timeoutMs);
      req.once('end', () => clearTimeout(this.timer));
    }
  }

  /** Aborts the primary's request when the client is gone or timed out. */
  get signal(): AbortSignal {
    return this.controller.signal;
  }

  private abort(): void {
    this.controller.abort();
  }

  private expire(timeoutMs: number): void {
    if (this.req.complete || this.req.socket.destroyed) return;
    this.timedOut = true;
    this.onTimeout();
    const res = this.res;
    if (res.headersSent) {
      // The primary already answered: nothing left to tell the client; its connection is closed.
      this.abort();
      this.req.socket.destroy();
      return;
    }
    // Answer first, then end the primary's request: aborting it also ends the body stream it reads,
    // which may be the client's own connection.
    res.once('finish', () => this.abort());
    res.once('close', () => this.abort());
    const error = new RequestTimeoutError(`the request was not received whole within ${timeoutMs} ms`);
    const body = JSON.stringify({ error: 'Request Timeout', code: error.code, message: error.message });
    res.writeHead(408, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  }
}
