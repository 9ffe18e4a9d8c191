import { useMemo, useState } from 'react';
import { EChart } from '../../components/EChart';
import { Segmented } from '../../components/Segmented';
import { formatInteger } from '../../lib/format';
import type { FeatureSelection } from '../../lib/train-config';
import { routeHref } from '../../lib/use-hash-route';
import type { RankingRecord } from '../../state/workbench';
import { buildFeatureBarOption, type BarMetric } from './feature-bar-option';

const BAR_COUNT = 20;

/** The top-K cut (slider and number), what is selected, and the best features as bars. */
export function SelectionPanel(props: {
  record: RankingRecord;
  selection: FeatureSelection;
  onTopK: (k: number) => void;
  onResetPicks: () => void;
}) {
  const { record, selection, onTopK, onResetPicks } = props;
  const { ranking } = record;
  const max = Math.max(1, Math.min(2000, record.order.length));
  const hasGain = ranking.features.some((f) => f.gain !== undefined);
  const [metric, setMetric] = useState<BarMetric>(hasGain ? 'gain' : 'combined');
  const [draftK, setDraftK] = useState<string | null>(null);
  const formulas = useMemo(() => new Map(ranking.defs.map((d) => [d.name, d.formula])), [ranking]);
  const top = useMemo(() => [...ranking.features].sort((a, b) => a.rank - b.rank).slice(0, BAR_COUNT), [ranking]);
  const option = useMemo(
    () => buildFeatureBarOption(top, hasGain ? metric : 'combined', selection.selectedSet, formulas),
    [top, metric, hasGain, selection.selectedSet, formulas],
  );
  const picked = selection.added.size;
  const unpicked = selection.removed.size;
  const manual = picked > 0 || unpicked > 0;

  const commitDraft = (text: string) => {
    const k = Number(text);
    if (text.trim() !== '' && Number.isInteger(k) && k >= 1 && k <= max) onTopK(k);
    setDraftK(null);
  };

  return (
    <section className="panel features-selection" aria-labelledby="features-selection-title">
      <div className="panel__head">
        <h2 className="panel__title" id="features-selection-title">
          Selection for training
        </h2>
        <a className="button button--small" href={routeHref('train')} data-testid="features-to-train">
          Train with this selection →
        </a>
      </div>
      <div className="topk">
        <label className="field topk__slider">
          <span className="field-label">Top-K by rank</span>
          <input
            type="range"
            min={1}
            max={max}
            step={1}
            value={Math.min(selection.baseK, max)}
            onChange={(e) => onTopK(Number(e.target.value))}
            aria-valuetext={`top ${selection.baseK}`}
            data-testid="topk-slider"
          />
        </label>
        <label className="field topk__number">
          <span className="field-label">K</span>
          <input
            className="input input--number"
            type="number"
            min={1}
            max={max}
            step={1}
            value={draftK ?? String(selection.baseK)}
            onChange={(e) => setDraftK(e.target.value)}
            onBlur={(e) => commitDraft(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') commitDraft(e.currentTarget.value);
            }}
            data-testid="topk-input"
          />
        </label>
        <div className="topk__summary">
          <span className="topk__count">
            <strong data-testid="selected-count">{formatInteger(selection.selected.length)}</strong> selected
          </span>
          <span className="hint" data-testid="selected-breakdown">
            top {formatInteger(selection.baseK)}
            {picked > 0 && ` + ${formatInteger(picked)} picked`}
            {unpicked > 0 && ` − ${formatInteger(unpicked)} unpicked`}
          </span>
        </div>
        <button
          type="button"
          className="button button--small"
          onClick={onResetPicks}
          disabled={!manual}
          title="Drop the manual picks and keep the top-K cut"
          data-testid="reset-picks"
        >
          Reset picks
        </button>
      </div>
      <p className="hint" data-testid="selection-config-note">
        {manual
          ? `Training gets exactly these ${formatInteger(selection.selected.length)} features (manualFeatures in the config).`
          : `Training takes the top ${formatInteger(selection.baseK)} of its own ranking (topK in the config).`}
      </p>
      {selection.pendingFill > 0 && (
        <p className="notice notice--warning" data-testid="selection-pending-fill">
          topK is {formatInteger(selection.selected.length + selection.pendingFill)}: training adds the next{' '}
          {formatInteger(selection.pendingFill)} best-ranked feature{selection.pendingFill === 1 ? '' : 's'} to these
          picks. Rank again to see which.
        </p>
      )}
      {selection.unknown.length > 0 && (
        <p className="notice notice--warning" data-testid="selection-unknown">
          {formatInteger(selection.unknown.length)} picked feature{selection.unknown.length === 1 ? ' is' : 's are'} not
          in this ranking: {selection.unknown.slice(0, 5).join(', ')}
          {selection.unknown.length > 5 ? ', …' : ''}
        </p>
      )}
      <div className="features-selection__chart-head">
        <h3 className="subhead">Best {Math.min(BAR_COUNT, top.length)} features</h3>
        {hasGain && (
          <Segmented
            legend="Bar length"
            value={metric}
            onChange={setMetric}
            options={[
              { value: 'gain', label: 'Gain' },
              { value: 'combined', label: 'Combined' },
            ]}
            testId="bar-metric"
          />
        )}
      </div>
      <EChart
        option={option}
        height={Math.max(220, top.length * 17 + 48)}
        testId="feature-bar-chart"
        label={`Best ${top.length} features by ${metric}`}
      />
    </section>
  );
}
