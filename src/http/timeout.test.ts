import { describe, expect, it } from 'vitest';
import { withTimeout } from './timeout.js';

describe('withTimeout', () => {
  it('passes through a value that arrives in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 50, 'x')).resolves.toBe(7);
  });

  it('passes through an error that arrives in time', async () => {
    await expect(withTimeout(Promise.reject(new Error('boom')), 50, 'x')).rejects.toThrow('boom');
  });

  it('rejects when the work hangs', async () => {
    await expect(withTimeout(new Promise(() => {}), 20, 'database ping')).rejects.toThrow(
      'database ping timed out after 20 ms',
    );
  });
});
