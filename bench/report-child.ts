/**
 * The report bench's child process (built to plain CommonJS by bench/report.ts and run with node, so
 * its peak RSS is the drawing's own, not a TypeScript loader's): makes the synthetic document, draws
 * it `runs` times with renderReportPdf and prints one JSON line with the times and the peak RSS.
 */
import { writeFileSync } from 'node:fs';
import { renderReportPdf } from '../src/main/core/report/render';
import { syntheticReportDocument } from '../test/helpers/report-document';

async function main(): Promise<void> {
  const [units, topN, runs, out] = [Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4]), process.argv[5]];
  const doc = syntheticReportDocument({ units, topN, withRul: true, withPrevious: true, withDrift: true });
  const seconds: number[] = [];
  let pages = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = await renderReportPdf(doc);
    seconds.push((performance.now() - t) / 1000);
    pages = r.pages;
    bytes = r.bytes.byteLength;
    if (i === 0 && out !== undefined) writeFileSync(out, r.bytes);
  }
  // ru_maxrss is in KiB on Linux: the process's high-water mark over all runs
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ seconds, pages, bytes, peakRssMiB })}\n`);
}

void main();
