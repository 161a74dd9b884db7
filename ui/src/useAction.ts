/**
 * One state-changing request at a time from a screen: whether it is running, and the server's
 * message when it failed (a 403 included: the server decides, whatever the screen showed).
 * A 401 means the session ended, which the app handles for every screen the same way.
 */
import { useCallback, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Action {
  pending: boolean;
  error: string | null;
  /** Runs fn; resolves to its result, or undefined when it failed (error is then set). A fn whose
   * request answers 204 should return a value of its own (true) to tell success apart. */
  run: <T>(fn: () => Promise<T>) => Promise<T | undefined>;
  clearError: () => void;
}

/**
 * onRefused (optional) takes a 403 instead of the screen: the user's role may have changed
 * since the screen was drawn, so the app shows the server's message above every screen (it
 * stays when the form it came from goes away) and asks the server again what they may do.
 */
export function useAction(onExpired: () => void, onRefused?: (message: string) => void): Action {
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const expiredRef = useRef(onExpired);
  expiredRef.current = onExpired;
  const refusedRef = useRef(onRefused);
  refusedRef.current = onRefused;

  const run = useCallback(async <T,>(fn: () => Promise<T>): Promise<T | undefined> => {
    setPending(true);
    setError(null);
    try {
      return await fn();
    } catch (caught) {
      if (caught instanceof ApiError && caught.status === 401) {
        expiredRef.current();
        return undefined;
      }
      if (caught instanceof ApiError && caught.status === 403 && refusedRef.current) {
        refusedRef.current(caught.message);
        return undefined;
      }
      setError(caught instanceof ApiError ? caught.message : 'Something went wrong. Please try again.');
      return undefined;
    } finally {
      setPending(false);
    }
  }, []);
  const clearError = useCallback(() => setError(null), []);
  return { pending, error, run, clearError };
}
