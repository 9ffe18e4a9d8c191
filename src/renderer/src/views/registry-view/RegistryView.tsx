import { useCallback, useEffect, useMemo, useState } from 'react';
import type { ModelVersion, RegisteredModel } from '../../../../shared/registry';
import { useApi } from '../../api/context';
import { ErrorMessage } from '../../components/ErrorMessage';
import { ScorerPicker, useScorerList } from '../../components/ScorerPicker';
import { resolveScorerKey, type ScorerChoiceOptions } from '../../lib/scorer-choices';
import { useAsync } from '../../lib/use-async';
import { asPrognosError } from '../../lib/errors';
import type { PrognosError } from '../../../../shared/errors';
import { parseScorerKey } from '../fleet/fleet-summary';
import { StageBadge } from './StageBadge';
import { VersionDetail } from './VersionDetail';
import './registry.css';

const SOURCE_CHOICES: ScorerChoiceOptions = {
  shipped: true,
  first: 'runs',
  groupLabels: { library: 'Bundles in the library', shipped: 'Shipped with the app', runs: 'Finished runs' },
};

/**
 * The model registry: register a finished run or a bundle as a version of a named model, see every
 * model's versions with their stage, promote a version with its checks shown (overriding failed
 * checks needs a reason), and follow a version's history and lineage.
 */
export function RegistryView() {
  const api = useApi();
  const load = useCallback(() => api.registryList({}), [api]);
  const [state, reload, models] = useAsync(load);
  const sources = useScorerList(SOURCE_CHOICES);
  const [chosenSource, setChosenSource] = useState<string | null>(null);
  const sourceKey = sources.choices === null ? null : resolveScorerKey(chosenSource, sources.choices);
  const [modelName, setModelName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [open, setOpen] = useState<{ model: string; version: number } | null>(null);

  const selected: { model: RegisteredModel; version: ModelVersion } | null = useMemo(() => {
    if (models === undefined || open === null) return null;
    const m = models.find((x) => x.model === open.model);
    const v = m?.versions.find((x) => x.version === open.version);
    return m === undefined || v === undefined ? null : { model: m, version: v };
  }, [models, open]);

  // open the newest version of the first model once the list arrives
  useEffect(() => {
    if (open === null && models !== undefined && models.length > 0 && models[0]!.versions.length > 0) {
      setOpen({ model: models[0]!.model, version: models[0]!.versions[0]!.version });
    }
  }, [models, open]);

  const register = () => {
    const source = parseScorerKey(sourceKey);
    if (source === null || modelName.trim() === '' || busy) return;
    setBusy(true);
    setError(null);
    setNotice(null);
    api
      .registryRegister({ model: modelName.trim(), ...(source.kind === 'run' ? { runId: source.runId } : { bundleId: source.bundleId }) })
      .then(
        (v) => {
          setNotice(`Registered as "${v.model}" version ${v.version}.`);
          setOpen({ model: v.model, version: v.version });
          reload();
        },
        (e: unknown) => setError(asPrognosError(e)),
      )
      .finally(() => setBusy(false));
  };

  return (
    <div className="registry-view" data-testid="registry-view">
      <section className="panel registry-register" aria-labelledby="registry-register-title">
        <h2 className="panel__title" id="registry-register-title">
          Register a version
        </h2>
        <div className="registry-register__row">
          <ScorerPicker
            list={sources}
            value={sourceKey}
            onChange={setChosenSource}
            label="Run or bundle"
            emptyLabel="No finished run or bundle"
            disabled={busy}
            className="field registry-field registry-field--source"
            testId="registry-register-source"
          />
          <label className="field registry-field">
            <span className="field-label">Model name</span>
            <input
              className="input"
              value={modelName}
              maxLength={100}
              list="registry-model-names"
              placeholder="e.g. line-4 engines"
              onChange={(e) => setModelName(e.target.value)}
              disabled={busy}
              data-testid="registry-register-model"
            />
            <datalist id="registry-model-names">
              {models?.map((m) => <option key={m.model} value={m.model} />)}
            </datalist>
          </label>
          <button
            type="button"
            className="button button--primary"
            onClick={register}
            disabled={busy || sourceKey === null || modelName.trim() === ''}
            data-testid="registry-register-submit"
          >
            Register
          </button>
        </div>
        {notice !== null && (
          <p className="hint" role="status" data-testid="registry-register-notice">
            {notice}
          </p>
        )}
        {error !== null && <ErrorMessage error={error} title="Not registered" testId="registry-register-error" />}
        {sources.error !== null && <ErrorMessage error={sources.error.error} title={`The ${sources.error.what} could not be loaded`} testId="registry-sources-error" />}
      </section>

      <div className="registry-columns">
        <section className="panel registry-models" aria-labelledby="registry-models-title" data-testid="registry-models">
          <h2 className="panel__title" id="registry-models-title">
            Registered models
            {models !== undefined && <span className="panel__count">{models.length}</span>}
          </h2>
          {state.status === 'error' && <ErrorMessage error={state.error} title="The registry could not be read" testId="registry-error" />}
          {models !== undefined && models.length === 0 && (
            <p className="empty" data-testid="registry-empty">
              No registered models yet. Register a finished run or a bundle above.
            </p>
          )}
          {models?.map((m) => (
            <div key={m.model} className="registry-model" data-testid={`registry-model-${m.model}`}>
              <h3 className="registry-model__name">{m.model}</h3>
              <ul className="registry-versions">
                {m.versions.map((v) => {
                  const isOpen = open?.model === m.model && open.version === v.version;
                  return (
                    <li key={v.version}>
                      <button
                        type="button"
                        className={isOpen ? 'registry-version is-open' : 'registry-version'}
                        aria-pressed={isOpen}
                        onClick={() => setOpen({ model: m.model, version: v.version })}
                        data-testid={`registry-version-${m.model}-${v.version}`}
                      >
                        <span className="registry-version__number">v{v.version}</span>
                        <StageBadge stage={v.stage} />
                        <span className="registry-version__source">{v.source === 'run' ? `run ${v.runId}` : (v.bundleId ?? '')}</span>
                      </button>
                    </li>
                  );
                })}
              </ul>
            </div>
          ))}
        </section>
        {selected !== null ? (
          <VersionDetail key={`${selected.model.model}:${selected.version.version}`} version={selected.version} onChanged={reload} />
        ) : (
          <section className="panel registry-detail">
            <p className="empty">Choose a version to see its checks, history and lineage.</p>
          </section>
        )}
      </div>
    </div>
  );
}
