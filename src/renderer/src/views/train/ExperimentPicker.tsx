import { useCallback, useState, type ReactNode } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import { DEFAULT_EXPERIMENT, MAX_NOTES, type Experiment } from '../../../../shared/experiments';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';
import { useAsync } from '../../lib/use-async';
import './train.css';

/** `''`: the default experiment ("Default", created on first use); NEW: one the analyst names now; else an experiment id */
const DEFAULT = '';
const NEW = '__new__';

type Listed = Experiment & { runIds: string[] };

/** Tags typed as "a, b, c": each trimmed, empty ones dropped, each once. */
export function parseTags(text: string): string[] {
  return [...new Set(text.split(',').map((t) => t.trim()).filter((t) => t.length > 0))];
}

/** What is wrong with a new experiment's name and tags before it is sent (main checks again). */
export function newExperimentProblem(name: string, tags: readonly string[], existing: readonly Listed[]): string | null {
  const clean = name.trim();
  if (clean === '') return 'Name the new experiment.';
  if (clean.length > 200) return 'An experiment name holds at most 200 characters.';
  if (existing.some((e) => e.name === clean)) return `An experiment named "${clean}" exists already: pick it in the list.`;
  // eslint-disable-next-line no-control-regex
  const bad = tags.find((t) => t.length > 50 || /[\u0000-\u001f\u007f]/.test(t));
  if (bad !== undefined) return `The tag "${bad.slice(0, 60)}" is too long or holds control characters.`;
  if (tags.length > 50) return 'At most 50 tags.';
  return null;
}

export interface ExperimentChoice {
  /** the picker (and, for a new experiment, its name, notes and tags) */
  readonly element: ReactNode;
  /** why training cannot start with this choice (a new experiment without a usable name), else null */
  readonly problem: string | null;
  /**
   * The experiment id to train into, or undefined for the default experiment. A new experiment is
   * created first (then it is the one picked, so the next run goes to it too).
   */
  readonly resolve: () => Promise<string | undefined>;
}

/** The Train view's experiment: an existing one, a new one (name, notes, tags), or the default. */
export function useExperimentChoice(disabled: boolean): ExperimentChoice {
  const api = useApi();
  const load = useCallback(() => api.experimentsList({}), [api]);
  const [listed, reload] = useAsync(load);
  const [choice, setChoice] = useState(DEFAULT);
  const [name, setName] = useState('');
  const [notes, setNotes] = useState('');
  const [tagText, setTagText] = useState('');
  const [error, setError] = useState<PrognosError | null>(null);
  const [created, setCreated] = useState<string | null>(null);

  const experiments = listed.status === 'ok' ? listed.value : [];
  const fallback = experiments.find((e) => e.name === DEFAULT_EXPERIMENT);
  const others = experiments.filter((e) => e !== fallback);
  const tags = parseTags(tagText);
  const problem = choice === NEW ? newExperimentProblem(name, tags, experiments) : null;
  // a picked experiment deleted meanwhile: back to the default
  const current =
    choice === DEFAULT || choice === NEW || choice === created || listed.status !== 'ok' || experiments.some((e) => e.experimentId === choice) ? choice : DEFAULT;

  const resolve = useCallback(async (): Promise<string | undefined> => {
    setError(null);
    if (current === DEFAULT) return undefined;
    if (current !== NEW) return current;
    try {
      const created = await api.experimentsCreate({ name: name.trim(), ...(notes.trim() === '' ? {} : { notes }), ...(tags.length === 0 ? {} : { tags }) });
      setCreated(created.experimentId);
      setChoice(created.experimentId);
      setName('');
      setNotes('');
      setTagText('');
      reload();
      return created.experimentId;
    } catch (e) {
      setError(asPrognosError(e));
      throw e;
    }
  }, [api, current, name, notes, tags, reload]);

  const element = (
    <>
      <label className="field experiment-picker">
        <span className="field-label">Experiment</span>
        <select className="input" value={current} disabled={disabled} onChange={(e) => setChoice(e.target.value)} data-testid="train-experiment">
          <option value={DEFAULT}>
            {DEFAULT_EXPERIMENT}
            {fallback === undefined ? '' : ` (${fallback.runs} ${fallback.runs === 1 ? 'run' : 'runs'})`}
          </option>
          {others.map((e) => (
            <option key={e.experimentId} value={e.experimentId}>
              {e.name} ({e.runs} {e.runs === 1 ? 'run' : 'runs'})
            </option>
          ))}
          <option value={NEW}>New experiment…</option>
        </select>
      </label>
      {current === NEW && (
        <fieldset className="experiment-new" data-testid="train-experiment-new" disabled={disabled}>
          <legend className="field-label">New experiment</legend>
          <label className="field">
            <span className="field-label">Name</span>
            <input className="input" value={name} maxLength={200} onChange={(e) => setName(e.target.value)} data-testid="train-experiment-name" />
          </label>
          <label className="field">
            <span className="field-label">Tags (comma-separated, optional)</span>
            <input className="input" value={tagText} onChange={(e) => setTagText(e.target.value)} data-testid="train-experiment-tags" />
          </label>
          <label className="field experiment-new__notes">
            <span className="field-label">Notes (optional)</span>
            <textarea className="input" rows={2} value={notes} maxLength={MAX_NOTES} onChange={(e) => setNotes(e.target.value)} data-testid="train-experiment-notes" />
          </label>
        </fieldset>
      )}
      {listed.status === 'error' && <ErrorMessage error={listed.error} title="Experiments could not be loaded" onDismiss={reload} testId="train-experiment-list-error" />}
      {error !== null && <ErrorMessage error={error} title="The experiment could not be created" onDismiss={() => setError(null)} testId="train-experiment-error" />}
    </>
  );
  return { element, problem, resolve };
}
