/**
 * The body of a mirrored request: it streams to the primary as it arrives and is captured, up to
 * the limit, for the shadow. When the client leaves mid-body, or the ingress gives up on it, the
 * copy feeding the primary is destroyed too, so the primary's request ends with the client's
 * instead of holding its connection open for bytes that will never come. In mirror-target mode
 * nothing streams on (`forward: false`): the body is only captured, and sent once it is whole.
 */
import type { IncomingMessage } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import { type CapturedBody, EMPTY_BODY } from '../http/body.js';
import { BodyCapture } from '../http/body-capture.js';
import type { ByteBudget } from '../http/capture-budget.js';

export class RequestBodyTee {
  private readonly copy = new PassThrough();
  private capture: BodyCapture | null;
  private settle: (whole: boolean) => void = () => {};
  /** True when the budget could not hold this body: it is not captured, the pair cannot be mirrored. */
  overBudget = false;
  /** Resolves true once the body arrived whole, false when it ended early (client gone, aborted). */
  readonly done: Promise<boolean>;

  constructor(
    private readonly req: IncomingMessage,
    limit: number,
    /** The pair's share of the in-flight bytes: what is kept stays counted until the pair is queued. */
    budget: ByteBudget,
    opts: { forward: boolean } = { forward: true },
  ) {
    this.capture = new BodyCapture(limit, budget);
    this.copy.on('error', () => {}); // whoever reads the copy sees its end; nobody else must crash
    this.done = new Promise((resolve) => {
      // Once the response is out, node:http no longer closes the request with its socket: watch both.
      const socket = req.socket;
      const onClose = () => {
        if (!req.complete) this.abort(new Error('the client did not send the whole request body'));
        this.settle(req.complete);
      };
      this.settle = (whole) => {
        socket.off('close', onClose);
        resolve(whole);
      };
      req.on('data', (chunk: Buffer) => this.push(chunk));
      req.once('end', () => this.settle(true));
      req.once('close', onClose);
      socket.once('close', onClose);
    });
    // Without a reader the copy would fill and pause the request: only pipe when something reads it.
    if (opts.forward) req.pipe(this.copy);
    else this.copy.end();
  }

  /** What the primary reads. */
  get stream(): Readable {
    return this.copy;
  }

  /** True when the body is larger than the capture limit. */
  get truncated(): boolean {
    return this.capture?.truncated ?? false;
  }

  bytes(): Buffer | null {
    return this.capture ? this.capture.bytes() : null;
  }

  result(): CapturedBody {
    return this.capture ? this.capture.result() : EMPTY_BODY;
  }

  /** Ends the copy with an error: the primary's request is aborted rather than left waiting. */
  abort(error: Error): void {
    this.req.unpipe(this.copy);
    if (!this.copy.destroyed) this.copy.destroy(error);
    this.settle(false);
  }

  private push(chunk: Buffer): void {
    const capture = this.capture;
    if (!capture || capture.truncated) return;
    capture.push(chunk);
    if (!capture.overBudget) return;
    // No room: the capture let its bytes go; the pair will be dropped.
    this.overBudget = true;
    this.capture = null;
  }
}
