import type { PrognosApi } from '../../../shared/contract';
import type { ImportSource } from '../../../shared/schemas';

export type TransportMode = 'electron' | 'browser';

export interface FileTransferProgress {
  /** bytes sent so far */
  loaded: number;
  /** total bytes of the file */
  total: number;
}

/** A bundle's archive handed to the user: downloaded by the browser, or written where the save dialog said. */
export interface SavedBundle {
  readonly fileName: string;
  /** where the desktop app wrote it; null in browser mode (the browser's downloads) */
  readonly path: string | null;
  readonly bytes: number;
}

/**
 * What the renderer talks to: the typed contract plus the one thing that differs between the
 * Electron bridge and browser mode, how a picked file becomes an import source.
 */
export interface Transport {
  readonly mode: TransportMode;
  readonly api: PrognosApi;
  /**
   * Turns a picked or dropped file into an import source. In Electron this is the file's path; in
   * browser mode the file is uploaded first (progress reported, abortable through the signal).
   */
  sourceForFile(
    file: File,
    options?: { onProgress?: (p: FileTransferProgress) => void; signal?: AbortSignal },
  ): Promise<ImportSource>;
  /**
   * Hands a bundle of the library to the user as one .zip: browser mode downloads it from the
   * server (`GET /api/download/bundle`), the desktop app saves it through main's save dialog.
   * Resolves null when the user cancels the dialog.
   */
  saveBundle(bundleId: string): Promise<SavedBundle | null>;
}
