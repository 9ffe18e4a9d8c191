import { DATASET_ROLE_LABELS, type DatasetRole } from '../../../shared/housekeeping';
import type { BundleEntry, DatasetRecord, RunSummary } from '../../../shared/schemas';
import type { ContextSlot } from '../lib/context-choices';
import { formatScore, formatShortDate } from '../lib/format';
import { bundleLabel, shortRunId } from '../views/export/bundle-info';
import { useWorkingContext } from '../state/working-context';
import './context-bar.css';

const SLOT_LABELS: Record<ContextSlot, string> = { dataset: 'Dataset', fleet: 'Fleet', run: 'Run', bundle: 'Bundle' };

/** Why a slot holds what it holds when the analyst has not chosen. */
const PRESELECTED: Record<ContextSlot, string> = {
  dataset: 'latest training fleet',
  fleet: 'latest unlabeled or test fleet',
  run: 'best validation F2',
  bundle: 'of that run, else the newest',
};

export function RoleBadge({ role }: { role: DatasetRole }) {
  return (
    <span className={`role-badge role-badge--${role}`} data-testid="role-badge" data-role={role}>
      {DATASET_ROLE_LABELS[role]}
    </span>
  );
}

export function runName(r: Pick<RunSummary, 'runId' | 'name'>): string {
  return r.name ?? `Run ${shortRunId(r.runId)}`;
}

function runOption(r: RunSummary): string {
  return `${runName(r)} · ${r.datasetName ?? 'deleted dataset'} · val F2 ${r.validationF2 === null ? '—' : formatScore(r.validationF2)} · ${formatShortDate(r.createdAt)}`;
}

function datasetOption(d: DatasetRecord): string {
  return `${d.name} · ${DATASET_ROLE_LABELS[d.role]}`;
}

function bundleOption(b: BundleEntry): string {
  return b.name === null ? bundleLabel(b) : `${b.name} · ${bundleLabel(b)}`;
}

/**
 * The working context on every view: the dataset, fleet, run and bundle, which of them this view
 * works on, and a way to change each (the views follow).
 */
export function ContextBar(props: { uses: readonly ContextSlot[]; viewLabel: string }) {
  const ctx = useWorkingContext();
  const { lists, current, chosen } = ctx;
  const slots: ContextSlot[] = ['dataset', 'fleet', 'run', 'bundle'];
  const usesText = props.uses.length === 0 ? 'picks its own inputs' : `uses the ${props.uses.map((s) => SLOT_LABELS[s].toLowerCase()).join(', ')}`;
  return (
    <section className="context-bar" aria-label="Working context" data-testid="context-bar">
      <span className="context-bar__uses" data-testid="context-uses">
        {props.viewLabel} {usesText}
      </span>
      {slots.map((slot) => {
        const used = props.uses.includes(slot);
        const value = current[slot];
        const dataset = slot === 'dataset' || slot === 'fleet' ? ctx.dataset(value) : null;
        const runs = lists?.runs.filter((r) => r.status === 'done') ?? [];
        return (
          <label
            key={slot}
            className={used ? 'context-bar__slot context-bar__slot--used' : 'context-bar__slot'}
            data-testid={`context-${slot}`}
            data-used={used}
            data-value={value ?? ''}
          >
            <span className="context-bar__label">
              {SLOT_LABELS[slot]}
              {used && <span className="visually-hidden"> (used by this view)</span>}
            </span>
            <select
              className="input context-bar__select"
              value={value ?? ''}
              disabled={lists === null}
              onChange={(e) => ctx.choose(slot, e.target.value === '' ? null : e.target.value)}
              data-testid={`context-${slot}-select`}
              title={chosen[slot] === null && value !== null ? `Preselected: ${PRESELECTED[slot]}` : undefined}
            >
              {lists === null && <option value="">Loading…</option>}
              {lists !== null && value === null && <option value="">None yet</option>}
              {(slot === 'dataset' || slot === 'fleet') && lists?.datasets.map((d) => <option key={d.datasetId} value={d.datasetId}>{datasetOption(d)}</option>)}
              {slot === 'run' && runs.map((r) => <option key={r.runId} value={r.runId}>{runOption(r)}</option>)}
              {slot === 'bundle' && lists?.bundles.map((b) => <option key={b.bundleId} value={b.bundleId}>{bundleOption(b)}</option>)}
            </select>
            {dataset !== null && <RoleBadge role={dataset.role} />}
          </label>
        );
      })}
      {ctx.error !== null && (
        <span className="context-bar__error" role="alert">
          The context could not be loaded: {ctx.error.message}{' '}
          <button type="button" className="button button--small" onClick={ctx.refresh}>
            Retry
          </button>
        </span>
      )}
    </section>
  );
}
