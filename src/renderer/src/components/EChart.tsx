import { useLayoutEffect, useRef } from 'react';
import { echarts, type ChartOption } from '../lib/echarts';

/**
 * An ECharts canvas that follows its container's size. After each render the container carries
 * `data-rendered="true"`, which tests wait on.
 */
export function EChart(props: { option: ChartOption; height: number; testId: string; label: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);

  useLayoutEffect(() => {
    const el = ref.current;
    if (el === null) return;
    const instance = echarts.init(el, undefined, { renderer: 'canvas' });
    chart.current = instance;
    instance.on('finished', () => {
      el.dataset.rendered = 'true';
    });
    const observer = new ResizeObserver(() => instance.resize());
    observer.observe(el);
    return () => {
      observer.disconnect();
      instance.dispose();
      chart.current = null;
    };
  }, []);

  // before paint, so a test never sees the new label with the previous drawing marked as done
  useLayoutEffect(() => {
    const instance = chart.current;
    const el = ref.current;
    if (instance === null || el === null) return;
    el.dataset.rendered = 'false';
    instance.setOption(props.option, { notMerge: true });
  }, [props.option]);

  return (
    <div
      ref={ref}
      className="echart"
      style={{ height: props.height }}
      role="img"
      aria-label={props.label}
      data-testid={props.testId}
    />
  );
}
