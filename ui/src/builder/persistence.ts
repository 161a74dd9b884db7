/** Where the builder's template comes from and goes to: loading it with the image library, and its versions. */
import { useCallback, useEffect, useState } from 'react';
import { ApiError, api, type Asset, type DisplayTemplate, type TemplateVersionSummary } from '../api';
import type { loadVersion } from './editor';

export interface LoadedTemplate {
  template: DisplayTemplate;
  version: Parameters<typeof loadVersion>[1];
  assets: Asset[];
}

export type TemplateLoad =
  | { status: 'loading' }
  | { status: 'error'; message: string; notFound: boolean }
  | { status: 'ready'; loaded: LoadedTemplate };

/** The template with its current version, and the partner's images (the builder opens without them). */
export function useTemplateLoad(templateId: number, onExpired: () => void): { state: TemplateLoad; retry: () => void } {
  const [state, setState] = useState<TemplateLoad>({ status: 'loading' });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState({ status: 'loading' });
    Promise.all([
      api.template(templateId, controller.signal),
      // The library is a help, not a must: the builder opens without it.
      api.assets(controller.signal).catch((error: unknown) => {
        if (error instanceof ApiError && error.status === 401) throw error;
        return { assets: [] as Asset[] };
      }),
    ])
      .then(([found, library]) => {
        setState({ status: 'ready', loaded: { template: found.template, version: found.version, assets: library.assets } });
      })
      .catch((error: unknown) => {
        if (controller.signal.aborted) return;
        if (error instanceof ApiError && error.status === 401) return onExpired();
        setState({
          status: 'error',
          message: error instanceof ApiError ? error.message : 'The template could not be loaded.',
          notFound: error instanceof ApiError && error.status === 404,
        });
      });
    return () => controller.abort();
  }, [templateId, attempt, onExpired]);

  return { state, retry: useCallback(() => setAttempt((n) => n + 1), []) };
}

export interface TemplateVersions {
  versions: TemplateVersionSummary[] | null;
  error: string | null;
  reload: () => void;
}

/** The template's saved versions, loaded now and again after each save or restore. */
export function useTemplateVersions(templateId: number, onExpired: () => void): TemplateVersions {
  const [versions, setVersions] = useState<TemplateVersionSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const reload = useCallback(() => {
    api
      .templateVersions(templateId)
      .then((answer) => {
        setVersions(answer.versions);
        setError(null);
      })
      .catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 401) return onExpired();
        setError(caught instanceof ApiError ? caught.message : 'The versions could not be loaded.');
      });
  }, [templateId, onExpired]);
  useEffect(reload, [reload]);
  return { versions, error, reload };
}
