/**
 * The report's fonts: DejaVu Sans (regular, bold) and DejaVu Sans Mono from the `dejavu-fonts-ttf`
 * package, shipped with the app and embedded in every PDF as subsets (never the standard 14 fonts).
 */
import { existsSync } from 'node:fs';
import PDFDocument from 'pdfkit';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';

// CommonJS bundles and vitest define __filename; elsewhere resolve from the working directory
const nodeRequire = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));

export interface ReportFonts {
  sans: string;
  bold: string;
  mono: string;
}

let cached: ReportFonts | undefined;

/** In a packaged app the ttf folder is unpacked beside app.asar (electron-builder.yml, asarUnpack). */
function unpacked(path: string): string {
  const marker = `app.asar${sep}`;
  if (!path.includes(marker)) return path;
  const outside = path.replace(marker, `app.asar.unpacked${sep}`);
  return existsSync(outside) ? outside : path;
}

/** Absolute paths of the three font files; throws naming the missing file when the package is incomplete. */
export function reportFonts(): ReportFonts {
  if (cached !== undefined) return cached;
  const folder = unpacked(join(dirname(nodeRequire.resolve('dejavu-fonts-ttf/package.json')), 'ttf'));
  const fonts: ReportFonts = {
    sans: join(folder, 'DejaVuSans.ttf'),
    bold: join(folder, 'DejaVuSans-Bold.ttf'),
    mono: join(folder, 'DejaVuSansMono.ttf'),
  };
  for (const f of [fonts.sans, fonts.bold, fonts.mono]) if (!existsSync(f)) throw new Error(`report font missing: ${f}`);
  cached = fonts;
  return fonts;
}

/** The family name the charts are told to use; every SVG text is drawn in DejaVu Sans whatever it says. */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

/**
 * Advance widths of the three fonts per character at 1 pt, measured once each: for laying out the
 * charts' text and for fitting table cells without shaping every string twice. Kerning is left out,
 * so a width may be off by a fraction of a point.
 */
export class FontMetrics {
  private readonly doc: PDFKit.PDFDocument;
  private readonly widths = new Map<string, number>();

  constructor(fonts: ReportFonts) {
    // a document used only for its font metrics: nothing is drawn or written
    this.doc = new PDFDocument({ autoFirstPage: false, font: fonts.sans });
    this.doc.registerFont('sans', fonts.sans);
    this.doc.registerFont('bold', fonts.bold);
    this.doc.registerFont('mono', fonts.mono);
  }

  width(text: string, size: number, font: keyof ReportFonts): number {
    let w = 0;
    for (const ch of text) {
      const key = font + ch;
      let cw = this.widths.get(key);
      if (cw === undefined) {
        cw = this.doc.font(font).fontSize(1000).widthOfString(ch) / 1000;
        this.widths.set(key, cw);
      }
      w += cw;
    }
    return w * size;
  }
}

let metrics: FontMetrics | undefined;

export function fontMetrics(): FontMetrics {
  metrics ??= new FontMetrics(reportFonts());
  return metrics;
}
