/**
 * ECharts options to SVG without a browser: the server-side renderer (`ssr: true`), animation off,
 * so the same option always gives the same picture. Text is measured with the metrics of the font
 * the PDF draws it in (DejaVu Sans), so labels, legends and axis names are laid out where they end up.
 */
import { BarChart, LineChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { EChartsOption } from 'echarts';
import { fontMetrics } from './fonts';

// the tooltip draws nothing server-side; it is registered because the UI's options configure one
echarts.use([LineChart, BarChart, ScatterChart, GridComponent, LegendComponent, MarkLineComponent, TitleComponent, TooltipComponent, SVGRenderer]);

/** A CSS font shorthand as ECharts writes it ("bold 12px DejaVu Sans") → size in px and weight. */
function parseFont(font: string | undefined): { size: number; bold: boolean } {
  const size = /(\d+(?:\.\d+)?)px/.exec(font ?? '');
  return { size: size === null ? 12 : Number(size[1]), bold: /\b(bold|[6-9]00)\b/.test(font ?? '') };
}

echarts.setPlatformAPI({
  measureText(text: string, font?: string) {
    const f = parseFont(font);
    return { width: fontMetrics().width(text, f.size, f.bold ? 'bold' : 'sans') };
  },
});

/**
 * Server-side chart instances, one per size, reused from chart to chart (setting a new option is
 * about half the work of a new instance). Dispose when done: a live instance keeps a timer.
 */
export class SvgCharts {
  private readonly charts = new Map<string, echarts.ECharts>();

  /** The option drawn `width` × `height` (the SVG's user units; the PDF draws one unit as one point). */
  svg(option: EChartsOption, width: number, height: number): string {
    const key = `${width}x${height}`;
    let chart = this.charts.get(key);
    if (chart === undefined) {
      chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
      this.charts.set(key, chart);
    }
    chart.setOption({ ...option, animation: false }, { notMerge: true });
    return chart.renderToSVGString();
  }

  dispose(): void {
    for (const c of this.charts.values()) c.dispose();
    this.charts.clear();
  }
}

/** One option drawn `width` × `height` with an instance of its own. */
export function svgOf(option: EChartsOption, width: number, height: number): string {
  const charts = new SvgCharts();
  try {
    return charts.svg(option, width, height);
  } finally {
    charts.dispose();
  }
}
