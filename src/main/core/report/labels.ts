/**
 * Sensor names in a report: the document's panels read with the fleet's sensor catalogue (feature
 * `s2_mean_30` → "T24 mean (30 cycles)", sensor `s2` → "T24", trend titles with their unit). Labels
 * only: what was scored and stored keeps its ids.
 */
import type { ReportDocument } from '../../../shared/report';
import { SensorLabels } from '../../../shared/sensor-catalogue';

export function withSensorLabels(d: ReportDocument): ReportDocument {
  if (d.sensors === undefined) return d;
  const labels = new SensorLabels(d.sensors);
  return {
    ...d,
    panels: d.panels.map((p) => ({
      ...p,
      contributions: p.contributions.map((c) => ({ ...c, feature: labels.feature(c.feature) })),
      sources: p.sources.map((s) => ({ ...s, source: labels.name(s.source) })),
      trends: p.trends.map((t) => ({ ...t, sensor: labels.withUnit(t.sensor) })),
    })),
  };
}
