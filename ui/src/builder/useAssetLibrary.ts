/**
 * The partner's image library inside the builder: uploads from the asset manager (each image
 * added to the editor as it arrives) and deletions (confirmed; the server refuses an image a
 * template still shows), with a status line for the asset manager.
 */
import type { Editor } from 'grapesjs';
import { useCallback, useRef, useState, type RefObject } from 'react';
import { ApiError, api, type Asset } from '../api';
import { addAsset } from './editor';

export interface UploadStatus {
  kind: 'busy' | 'error' | 'done';
  text: string;
}

export function useAssetLibrary(initial: Asset[], editorRef: RefObject<Editor | null>, onExpired: () => void) {
  const [status, setStatus] = useState<UploadStatus | null>(null);
  const assetsRef = useRef<Asset[]>(initial);

  const upload = useCallback(
    async (files: File[]) => {
      const current = editorRef.current;
      if (!current || files.length === 0) return;
      const failures: string[] = [];
      let added = 0;
      setStatus({ kind: 'busy', text: files.length === 1 ? `Uploading ${files[0]!.name}…` : `Uploading ${files.length} images…` });
      for (const file of files) {
        try {
          const { asset } = await api.uploadAsset(file);
          assetsRef.current = [asset, ...assetsRef.current];
          addAsset(current, asset);
          added++;
        } catch (error) {
          if (error instanceof ApiError && error.status === 401) {
            onExpired();
            return;
          }
          failures.push(`${file.name}: ${error instanceof ApiError ? error.message : 'the upload failed.'}`);
        }
      }
      setStatus(
        failures.length > 0
          ? { kind: 'error', text: failures.join(' ') }
          : { kind: 'done', text: added === 1 ? 'Uploaded: it is now in your library.' : `Uploaded ${added} images.` },
      );
    },
    [editorRef, onExpired],
  );

  const remove = useCallback(
    async (url: string): Promise<boolean> => {
      const asset = assetsRef.current.find((a) => a.url === url);
      if (!asset) return true;
      if (!window.confirm(`Delete “${asset.name}” from your image library? Screens can no longer show it.`)) return false;
      setStatus({ kind: 'busy', text: `Deleting ${asset.name}…` });
      try {
        await api.deleteAsset(asset.key);
        assetsRef.current = assetsRef.current.filter((a) => a.key !== asset.key);
        setStatus({ kind: 'done', text: `Deleted ${asset.name} from your library.` });
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) onExpired();
        // 409: a template still shows it (the message names them).
        setStatus({ kind: 'error', text: error instanceof ApiError ? error.message : 'The image could not be deleted.' });
        return false;
      }
    },
    [onExpired],
  );

  return { assetsRef, status, setStatus, upload, remove };
}
