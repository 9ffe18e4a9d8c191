/**
 * The report bench's child process (built to plain CommonJS by bench/report.ts and run with node, so
 * its peak RSS is the drawing's own, not a TypeScript loader's): makes the synthetic document, draws
 * a small one first (fonts loaded, code warm, as in a report worker that has drawn before), then
 * draws the big one once with renderReportPdf and prints one JSON line: its time and the peak RSS.
 */
import { writeFileSync } from 'node:fs';
import { renderReportPdf } from '../src/main/core/report/render';
import { syntheticReportDocument } from '../test/helpers/report-document';

async function main(): Promise<void> {
  const [units, topN, out] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
  await renderReportPdf(syntheticReportDocument({ units: 20, topN: 2, seed: 2 }));
  const doc = syntheticReportDocument({ units, topN, withRul: true, withPrevious: true, withDrift: true });
  const t = performance.now();
  const r = await renderReportPdf(doc);
  const seconds = (performance.now() - t) / 1000;
  if (out !== undefined) writeFileSync(out, r.bytes);
  // ru_maxrss is in KiB on Linux: the process's high-water mark
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, pages: r.pages, bytes: r.bytes.byteLength, peakRssMiB })}\n`);
}

void main();
