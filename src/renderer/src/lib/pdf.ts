/**
 * pdf.js, loaded on demand (dynamic import) by the report preview. The library and its worker come
 * from the local package: Vite emits the worker as an asset of our own origin (CSP `worker-src
 * 'self'`); nothing is fetched from elsewhere.
 */
import { GlobalWorkerOptions, getDocument } from 'pdfjs-dist';
import type { PDFDocumentLoadingTask } from 'pdfjs-dist';
import workerUrl from 'pdfjs-dist/build/pdf.worker.min.mjs?url';

GlobalWorkerOptions.workerSrc = workerUrl;

export type { PDFDocumentProxy, PDFPageProxy, RenderTask } from 'pdfjs-dist';

/**
 * Opens a PDF from its bytes (a copy is handed to the worker). No eval (the page's CSP forbids it),
 * no network: fonts are the ones the PDF embeds, with no standard-font or CMap fetches.
 */
export function openPdf(bytes: Uint8Array): PDFDocumentLoadingTask {
  return getDocument({
    data: bytes.slice(),
    isEvalSupported: false,
    enableXfa: false,
    useSystemFonts: false,
    disableAutoFetch: true,
    disableStream: true,
    stopAtErrors: false,
  });
}
