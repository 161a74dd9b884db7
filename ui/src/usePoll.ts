/**
 * Polls an endpoint on a fixed period: one request at a time (the next one is scheduled when the
 * last answer arrives, so a slow server is never flooded), paused while the tab is hidden, the
 * last good data kept through errors.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { ApiError } from './api';

export interface Poll<T> {
  data: T | undefined;
  /** The last failure; cleared by the next success. */
  error: ApiError | null;
  /** When the last successful answer arrived (ms since epoch). */
  updatedAt: number | null;
  paused: boolean;
  retry: () => void;
}

export function usePoll<T>(
  fetcher: (signal: AbortSignal) => Promise<T>,
  intervalMs: number,
  onUnauthorized: () => void,
): Poll<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<ApiError | null>(null);
  const [updatedAt, setUpdatedAt] = useState<number | null>(null);
  const [paused, setPaused] = useState(document.hidden);
  const [generation, setGeneration] = useState(0);
  // Kept in refs so that a new function identity on each render does not restart the loop.
  const fetcherRef = useRef(fetcher);
  const unauthorizedRef = useRef(onUnauthorized);
  fetcherRef.current = fetcher;
  unauthorizedRef.current = onUnauthorized;

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let stopped = false;

    const tick = async () => {
      if (document.hidden) return; // visibilitychange restarts the loop
      try {
        const result = await fetcherRef.current(controller.signal);
        if (stopped) return;
        setData(result);
        setError(null);
        setUpdatedAt(Date.now());
      } catch (caught) {
        if (stopped) return;
        if (caught instanceof ApiError && caught.status === 401) {
          unauthorizedRef.current();
          return;
        }
        setError(caught instanceof ApiError ? caught : new ApiError(0, 'error', 'Something went wrong. Retrying…'));
        // Refused: asking again will not change the answer (retry() starts over).
        if (caught instanceof ApiError && caught.status === 403) return;
      }
      if (!stopped) timer = setTimeout(() => void tick(), intervalMs);
    };
    const onVisibility = () => {
      setPaused(document.hidden);
      clearTimeout(timer);
      if (!document.hidden) void tick();
    };

    document.addEventListener('visibilitychange', onVisibility);
    void tick();
    return () => {
      stopped = true;
      clearTimeout(timer);
      controller.abort();
      document.removeEventListener('visibilitychange', onVisibility);
    };
  }, [intervalMs, generation]);

  const retry = useCallback(() => setGeneration((g) => g + 1), []);
  return { data, error, updatedAt, paused, retry };
}
