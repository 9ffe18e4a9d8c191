/** The sweep's parallel-coordinates chart: one axis per searched parameter and one for the objective. */
import { ParallelChart, type ParallelSeriesOption } from 'echarts/charts';
import { ParallelComponent, type ParallelComponentOption } from 'echarts/components';
import type { SweepDetail } from '../../../../shared/sweep';
import { echarts, type ChartOption } from '../../lib/echarts';

echarts.use([ParallelChart, ParallelComponent]);

type ParallelAxis = NonNullable<ParallelComponentOption['parallelAxisDefault']> & { dim: number; name: string; type?: 'value' | 'log' | 'category'; data?: string[]; min?: number; max?: number; inverse?: boolean };

const STATUS_COLOURS: Record<string, string> = { done: '#2f6fb0', pruned: '#b0b0b0', failed: '#c0392b' };

function label(v: unknown): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}

/** Finished trials as lines; pruned and failed ones (no objective) drawn grey at the axis' bottom. */
export function parallelOption(d: SweepDetail): ChartOption {
  const axes: ParallelAxis[] = d.params.map((p, i) => {
    const short = p.name.split('.').slice(-1)[0] ?? p.name;
    if (p.kind === 'choice') return { dim: i, name: short, type: 'category', data: (p.options ?? []).map(label) };
    return { dim: i, name: short, type: p.kind === 'logFloat' ? 'log' : 'value', min: p.lo, max: p.hi };
  });
  axes.push({ dim: d.params.length, name: d.objective === 'f2' ? 'F2' : 'RUL RMSE', type: 'value', inverse: d.objective === 'rmse' });
  const finished = d.trialList.filter((t) => t.status === 'done' || t.status === 'pruned' || t.status === 'failed');
  const row = (t: (typeof finished)[number]) => [...d.params.map((p) => (p.kind === 'choice' ? label(t.params[p.name]) : (t.params[p.name] as number))), t.objective ?? null];
  const series = (['done', 'pruned', 'failed'] as const).map(
    (status): ParallelSeriesOption => ({
      type: 'parallel',
      name: status,
      lineStyle: { width: status === 'done' ? 2 : 1, opacity: status === 'done' ? 0.8 : 0.4, color: STATUS_COLOURS[status] },
      data: finished.filter((t) => t.status === status).map(row),
    }),
  );
  const option = {
    animation: false,
    tooltip: { show: false },
    legend: { top: 0, data: ['done', 'pruned', 'failed'] },
    parallel: { left: 40, right: 60, top: 50, bottom: 30 },
    parallelAxis: axes,
    series,
  };
  // the shared option type lists the chart kinds of the main bundle only
  return option as unknown as ChartOption;
}
