/**
 * Worker thread: one PDF maintenance report. Reads the fleet, scores it with the run or the verified
 * bundle, explains the top units, assembles the document (report-build.ts) and draws the PDF
 * (core/report/render). Main stores what this returns. Same request, same bytes.
 */
import { createHash } from 'node:crypto';
import { PrognosError } from '../../shared/errors';
import { renderReportPdf } from '../core/report/render';
import { buildReport } from './report-build';
import type { ReportWorkerRequest, ReportWorkerValue } from './report-protocol';
import { serveJob } from './serve-job';
import { tensorCount } from './trained-run';

serveJob<ReportWorkerRequest, ReportWorkerValue>(
  'report-worker',
  async (req, task) => {
    const built = await buildReport(req, task);
    if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Report cancelled.');
    task.progress(0.85, 'Drawing the PDF…');
    const { bytes, pages } = await renderReportPdf(built.doc);
    if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Report cancelled.');
    task.progress(1, `Drawn: ${pages} pages.`);
    const s = built.doc.summary;
    // a copy of exactly the PDF's bytes, so the buffer can be handed over rather than copied again
    const pdf = Uint8Array.from(bytes);
    return {
      value: {
        bytes: pdf,
        pages,
        sha256: createHash('sha256').update(pdf).digest('hex'),
        title: built.doc.meta.title,
        fleet: built.doc.fleet.name,
        datasetFingerprint: built.fingerprint,
        runId: built.runId,
        bundleSha256: built.bundleSha256,
        units: s.units,
        atRisk: s.now,
        soon: s.soon,
        digest: built.digest,
      },
      transfer: [pdf.buffer],
    };
  },
  tensorCount,
);
