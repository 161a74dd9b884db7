/** Job types of the worker-process tests, shared by the test and its child workers (job-worker-child.ts). */
import { z } from 'zod';
import { defineJob } from '../../src/jobs/registry.js';

export const recordJob = defineJob({ name: 'test.proc-record', scope: 'platform', payload: z.object({ n: z.number() }), concurrency: 3 });
export const hangJob = defineJob({ name: 'test.proc-hang', scope: 'platform', payload: z.object({ hangOnAttempt: z.number() }) });
export const limitedJob = defineJob({
  name: 'test.proc-limited',
  scope: 'platform',
  payload: z.object({ n: z.number() }),
  concurrency: 5,
  rateLimit: { perSecond: 5, burst: 1 },
});
