/** A payload that breaks its contract fails as BullMQ's UnrecoverableError, carrying its code (not only in its message). */
import { UnrecoverableError } from 'bullmq';
import { afterEach, describe, expect, it } from 'vitest';
import { PayloadInvalidError } from '../../../libs/errors.js';
import { openStore, type Store } from '../../../libs/store/index.js';
import { createJobHandler } from '../../../services/comparator/handle-job.js';
import { tempDb } from '../../support/temp.js';

const stores: Store[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

async function failureOf(job: Parameters<ReturnType<typeof createJobHandler>>[0]): Promise<unknown> {
  const store = await openStore(tempDb());
  stores.push(store);
  return createJobHandler(store, {})(job).then(
    () => expect.unreachable('the job was handled'),
    (error: unknown) => error,
  );
}

describe('an invalid payload', () => {
  it.each([
    ['a compare-exchange job', { name: 'compare-exchange', id: 'x', payload: { v: 99 }, attempt: 0 }],
    ['a record-drops job', { name: 'record-drops', id: 'd', payload: { v: 99 }, attempt: 0 }],
    ['a job of no known name', { name: 'frobnicate', id: 'f', payload: {}, attempt: 0 }],
  ])('of %s is unrecoverable, with the code as a property and a PayloadInvalidError as its cause', async (_name, job) => {
    const error = await failureOf(job as never);
    expect(error).toBeInstanceOf(UnrecoverableError);
    const { code, cause, message } = error as UnrecoverableError & { code?: unknown };
    expect(code).toBe('SD_ERR_PAYLOAD_INVALID');
    expect(cause).toBeInstanceOf(PayloadInvalidError);
    // The message reads as it always has: the code, then the problem (the cause's message).
    expect(message).toBe(`SD_ERR_PAYLOAD_INVALID: ${(cause as PayloadInvalidError).message}`);
  });

  it('names the unknown job in its message', async () => {
    expect((await failureOf({ name: 'frobnicate', id: 'f', payload: {}, attempt: 0 } as never)) as Error).toHaveProperty('message', 'SD_ERR_PAYLOAD_INVALID: unknown job frobnicate');
  });
});
