import { useState } from 'react';
import type { DatasetRecord } from '../../../../shared/schemas';
import { ErrorBoundary } from '../../components/ErrorBoundary';
import { Tabs, type TabItem } from '../../components/Tabs';
import { formatDate } from '../../lib/format';
import { useSensorLabels } from '../../lib/use-sensor-labels';
import { CatalogueEditor } from './CatalogueEditor';
import { ColumnStatsTable } from './ColumnStatsTable';
import { PreviewTable } from './PreviewTable';
import { RegimeChart } from './RegimeChart';
import { regimeCountText } from './regime-chart-option';
import { SensorChart } from './SensorChart';
import { SummaryFigures } from './SummaryFigures';

type DetailTab = 'sensors' | 'regimes' | 'columns' | 'names' | 'rows';

const TABS: readonly TabItem<DetailTab>[] = [
  { key: 'sensors', label: 'Sensor trends' },
  { key: 'regimes', label: 'Operating regimes' },
  { key: 'columns', label: 'Columns' },
  { key: 'names', label: 'Names and units' },
  { key: 'rows', label: 'Rows' },
];

const FORMAT_NAMES: Record<DatasetRecord['format'], string> = { cmapss: 'C-MAPSS text', csv: 'CSV' };

function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] ?? path;
}

/** Everything about the selected dataset: headline figures, then sensor trends, columns and rows. */
export function DatasetDetail({ dataset }: { dataset: DatasetRecord }) {
  const [tab, setTab] = useState<DetailTab>('sensors');
  const { summary } = dataset;
  const labels = useSensorLabels(dataset.datasetId);
  return (
    <section
      className="detail"
      aria-labelledby="dataset-detail-title"
      data-testid="dataset-detail"
      data-dataset-id={dataset.datasetId}
    >
      <header className="detail__header">
        <h2 className="detail__title" id="dataset-detail-title" title={dataset.name}>
          {dataset.name}
        </h2>
        <p className="detail__meta">
          <span title={dataset.sourceFile}>{baseName(dataset.sourceFile)}</span>
          {dataset.rulFile !== null && <span title={dataset.rulFile}>RUL: {baseName(dataset.rulFile)}</span>}
          <span>{FORMAT_NAMES[dataset.format]}</span>
          <span>imported {formatDate(dataset.createdAt)}</span>
          <span data-testid="dataset-regimes">
            {dataset.regimes === null ? 'operating regimes: see their tab' : regimeCountText(dataset.regimes.k)}
          </span>
          <span className="mono" title={`Fingerprint ${dataset.fingerprint}`}>
            {dataset.fingerprint.slice(0, 12)}
          </span>
        </p>
      </header>
      <SummaryFigures summary={summary} />
      <Tabs items={TABS} active={tab} onChange={setTab} label="Dataset views" idPrefix="dataset" />
      <div
        className={tab === 'rows' ? 'detail__panel detail__panel--fill' : 'detail__panel'}
        role="tabpanel"
        id={`dataset-panel-${tab}`}
        aria-labelledby={`dataset-tab-${tab}`}
      >
        <ErrorBoundary
          key={`${dataset.datasetId}-${tab}`}
          where={`the ${TABS.find((t) => t.key === tab)?.label ?? ''} panel`}
        >
          {tab === 'sensors' && (
            <SensorChart key={dataset.datasetId} datasetId={dataset.datasetId} columns={summary.columns} />
          )}
          {tab === 'regimes' && <RegimeChart key={dataset.datasetId} datasetId={dataset.datasetId} />}
          {tab === 'columns' && <ColumnStatsTable columns={summary.columns} labels={labels} />}
          {tab === 'names' && (
            <CatalogueEditor key={dataset.datasetId} datasetId={dataset.datasetId} columns={summary.columns} />
          )}
          {tab === 'rows' && (
            <PreviewTable
              key={dataset.datasetId}
              datasetId={dataset.datasetId}
              totalRows={dataset.rows}
              columnStats={summary.columns}
            />
          )}
        </ErrorBoundary>
      </div>
    </section>
  );
}
