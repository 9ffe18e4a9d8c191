import { useEffect, useRef, useState } from 'react';
import type * as PdfLib from '../../lib/pdf';
import { plural } from '../../lib/format';
import { ZOOMS, pageScale, type Zoom } from './reports-model';

type PdfModule = typeof PdfLib;
type PdfDocument = PdfLib.PDFDocumentProxy;

let loading: Promise<PdfModule> | null = null;

/** Loads pdf.js once, on first use. */
function loadPdf(): Promise<PdfModule> {
  loading ??= import('../../lib/pdf').catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

type Opened =
  | { readonly status: 'loading' }
  | { readonly status: 'error'; readonly message: string }
  | { readonly status: 'ok'; readonly doc: PdfDocument; readonly pageWidth: number; readonly pageHeight: number };

function zoomLabel(z: Zoom): string {
  return z === 'fit' ? 'Fit width' : `${Math.round(z * 100)} %`;
}

/** The pane's inner width, followed as it changes. */
function usePaneWidth(el: HTMLElement | null): number {
  const [width, setWidth] = useState(0);
  useEffect(() => {
    if (el === null) return;
    const measure = () => setWidth(el.clientWidth);
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    return () => observer.disconnect();
  }, [el]);
  return width;
}

/**
 * One page: a placeholder of the page's size that draws itself on a canvas when it comes near the
 * visible part of the pane and lets the canvas go when it is far away, so a long report never holds
 * more than a few drawn pages.
 */
function PdfPage(props: { doc: PdfDocument; pageNumber: number; scale: number; width: number; height: number; root: HTMLElement | null }) {
  const { doc, pageNumber, scale, root } = props;
  const boxRef = useRef<HTMLDivElement>(null);
  const canvasRef = useRef<HTMLCanvasElement>(null);
  const [near, setNear] = useState(false);
  const [drawn, setDrawn] = useState<'no' | 'yes' | 'failed'>('no');

  useEffect(() => {
    const box = boxRef.current;
    if (box === null) return;
    const observer = new IntersectionObserver((entries) => {
      for (const e of entries) setNear(e.isIntersecting);
    }, { root, rootMargin: '150% 0px' });
    observer.observe(box);
    return () => observer.disconnect();
  }, [root]);

  useEffect(() => {
    const canvas = canvasRef.current;
    if (!near || canvas === null) return;
    let cancelled = false;
    let task: PdfLib.RenderTask | null = null;
    doc.getPage(pageNumber).then(
      (page) => {
        if (cancelled) return;
        const ratio = window.devicePixelRatio || 1;
        const viewport = page.getViewport({ scale: scale * ratio });
        canvas.width = Math.floor(viewport.width);
        canvas.height = Math.floor(viewport.height);
        const context = canvas.getContext('2d');
        if (context === null) {
          setDrawn('failed');
          return;
        }
        task = page.render({ canvasContext: context, viewport });
        task.promise.then(
          () => {
            if (!cancelled) setDrawn('yes');
          },
          () => {
            if (!cancelled) setDrawn('failed');
          },
        );
      },
      () => {
        if (!cancelled) setDrawn('failed');
      },
    );
    return () => {
      cancelled = true;
      task?.cancel();
      // a page scrolled far away gives its pixels back
      canvas.width = 0;
      canvas.height = 0;
      setDrawn('no');
    };
  }, [doc, pageNumber, scale, near]);

  return (
    <div
      ref={boxRef}
      className="pdf-page"
      style={{ width: props.width, height: props.height }}
      data-testid="report-preview-page"
      data-page={pageNumber}
      data-drawn={drawn}
    >
      <canvas ref={canvasRef} width={0} height={0} className="pdf-page__canvas" style={{ width: props.width, height: props.height }} aria-label={`Page ${pageNumber}`} />
      {drawn === 'failed' && <span className="pdf-page__note">Page {pageNumber} could not be drawn.</span>}
      <span className="pdf-page__number" aria-hidden="true">
        {pageNumber}
      </span>
    </div>
  );
}

/**
 * The pages of a PDF drawn by pdf.js from its bytes (the same bytes a save or download writes):
 * a page count, the zoom (fit width by default) and the pages as canvases, drawn as they scroll in.
 */
export function PdfPreview(props: { bytes: Uint8Array; label: string }) {
  const { bytes } = props;
  const [pane, setPane] = useState<HTMLDivElement | null>(null);
  const paneWidth = usePaneWidth(pane);
  const [opened, setOpened] = useState<Opened>({ status: 'loading' });
  const [zoom, setZoom] = useState<Zoom>('fit');

  useEffect(() => {
    let disposed = false;
    let destroy: (() => Promise<void>) | null = null;
    setOpened({ status: 'loading' });
    loadPdf()
      .then(async (lib) => {
        if (disposed) return;
        const task = lib.openPdf(bytes);
        destroy = () => task.destroy();
        const doc = await task.promise;
        const first = await doc.getPage(1);
        const viewport = first.getViewport({ scale: 1 });
        if (!disposed) setOpened({ status: 'ok', doc, pageWidth: viewport.width, pageHeight: viewport.height });
      })
      .catch((e: unknown) => {
        if (!disposed) setOpened({ status: 'error', message: e instanceof Error ? e.message : String(e) });
      });
    return () => {
      disposed = true;
      void destroy?.().catch(() => undefined);
    };
  }, [bytes]);

  // the pages' own padding and border take a little of the pane's width
  const usable = Math.max(0, paneWidth - 34);
  const scale = opened.status === 'ok' ? pageScale(zoom, opened.pageWidth, usable) : 1;
  const pages = opened.status === 'ok' ? opened.doc.numPages : 0;

  return (
    <div className="pdf-preview" data-testid="report-preview" data-pages={pages} data-status={opened.status} aria-label={props.label}>
      <div className="pdf-preview__bar">
        <span data-testid="report-preview-count">
          {opened.status === 'ok' ? plural(pages, 'page') : opened.status === 'loading' ? 'Opening the PDF…' : ''}
        </span>
        <label className="pdf-preview__zoom">
          <span className="field-label">Zoom</span>
          <select
            className="input"
            value={String(zoom)}
            onChange={(e) => setZoom(e.target.value === 'fit' ? 'fit' : (Number(e.target.value) as Zoom))}
            data-testid="report-preview-zoom"
          >
            {ZOOMS.map((z) => (
              <option key={String(z)} value={String(z)}>
                {zoomLabel(z)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {opened.status === 'error' && (
        <p className="error-message" role="alert" data-testid="report-preview-error">
          The PDF could not be opened for preview: {opened.message}
        </p>
      )}
      <div
        className="pdf-preview__pane"
        ref={setPane}
        tabIndex={0}
        role="region"
        aria-label="Pages of the report"
      >
        {opened.status === 'ok' &&
          paneWidth > 0 &&
          Array.from({ length: pages }, (_, i) => (
            <PdfPage
              key={i + 1}
              doc={opened.doc}
              pageNumber={i + 1}
              scale={scale}
              width={Math.round(opened.pageWidth * scale)}
              height={Math.round(opened.pageHeight * scale)}
              root={pane}
            />
          ))}
      </div>
    </div>
  );
}
