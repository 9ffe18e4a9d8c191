import { useCallback, useMemo } from 'react';
import type { PrognosError } from '../../../shared/errors';
import { useApi } from '../api/context';
import { scorerChoices, type ScorerChoiceOptions, type ScorerChoices } from '../lib/scorer-choices';
import { useAsync } from '../lib/use-async';
import { useRuns } from '../state/use-runs';

export interface ScorerList {
  /** null while the bundles or the runs are loading (or could not be loaded) */
  readonly choices: ScorerChoices | null;
  /** loaded, and there is neither a bundle nor a finished run to offer */
  readonly none: boolean;
  /** the first list that could not be loaded, with a way to try again */
  readonly error: { readonly error: PrognosError; readonly what: 'bundles' | 'runs'; readonly retry: () => void } | null;
}

/** Loads the store's bundles and runs and turns them into the picker's choices. */
export function useScorerList(options: ScorerChoiceOptions): ScorerList {
  const api = useApi();
  const loadBundles = useCallback(() => api.bundlesList({}), [api]);
  const [bundlesState, reloadBundles] = useAsync(loadBundles);
  const [runsState, reloadRuns] = useRuns();
  const { shipped, first, groupLabels } = options;
  const { library, shipped: shippedLabel, runs: runsLabel } = groupLabels;
  const choices = useMemo(
    () =>
      bundlesState.status === 'ok' && runsState.status === 'ok'
        ? scorerChoices(bundlesState.value, runsState.value, {
            shipped,
            first,
            groupLabels: { library, runs: runsLabel, ...(shippedLabel === undefined ? {} : { shipped: shippedLabel }) },
          })
        : null,
    [bundlesState, runsState, shipped, first, library, shippedLabel, runsLabel],
  );
  const error =
    bundlesState.status === 'error'
      ? { error: bundlesState.error, what: 'bundles' as const, retry: reloadBundles }
      : runsState.status === 'error'
        ? { error: runsState.error, what: 'runs' as const, retry: reloadRuns }
        : null;
  return { choices, none: choices !== null && choices.groups.length === 0, error };
}

/**
 * The one run-or-bundle `<select>` of the views that score a fleet: option values are
 * `bundle:<id>` and `run:<id>`, grouped as the list says.
 */
export function ScorerPicker(props: {
  list: ScorerList;
  /** the resolved key (see resolveScorerKey) */
  value: string | null;
  onChange: (key: string) => void;
  label: string;
  /** what the empty list says, e.g. "No bundle or finished run" */
  emptyLabel: string;
  disabled?: boolean;
  className?: string;
  testId: string;
}) {
  const { choices, none } = props.list;
  return (
    <label className={props.className ?? 'field'}>
      <span className="field-label">{props.label}</span>
      <select
        className="input"
        value={props.value ?? ''}
        onChange={(e) => props.onChange(e.target.value)}
        disabled={choices === null || none || props.disabled === true}
        data-testid={props.testId}
      >
        {choices === null && <option value="">Loading…</option>}
        {none && <option value="">{props.emptyLabel}</option>}
        {choices?.groups.map((g) => (
          <optgroup key={g.label} label={g.label}>
            {g.options.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </optgroup>
        ))}
      </select>
    </label>
  );
}
