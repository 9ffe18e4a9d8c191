import { useCallback, useEffect, useMemo } from 'react';
import { IssueList } from '../../components/IssueList';
import { JsonEditor } from '../../components/JsonEditor';
import type { JsonObject } from '../../lib/json-value';
import { FEATURE_DOC_SCHEMA_URI, featureDoc, inFeatureDoc, mergeFeatureDoc } from '../../lib/train-config';
import { useJsonDraft } from '../../lib/use-json-draft';
import { useWorkbench, type ConfigSchemas } from '../../state/workbench';

const MODEL_URI = 'inmemory://prognos/features/feature-spec.json';

/** The feature spec with the seed, label window, split and top-K, as JSON under the config's schema. */
export function FeatureSpecEditor(props: {
  schemas: ConfigSchemas;
  config: JsonObject;
  /** told whether the text is usable JSON (null) or why not */
  onSyntax: (problem: string | null) => void;
}) {
  const { setConfig, issues } = useWorkbench();
  const { schemas, config, onSyntax } = props;
  const trainSchema = schemas.trainConfig;
  const doc = useMemo(() => featureDoc(config, trainSchema), [config, trainSchema]);
  const apply = useCallback(
    (next: JsonObject) => setConfig((c) => mergeFeatureDoc(c, next, trainSchema)),
    [setConfig, trainSchema],
  );
  const draft = useJsonDraft(doc, apply);
  const docIssues = useMemo(() => issues.filter((i) => inFeatureDoc(i, trainSchema)), [issues, trainSchema]);
  useEffect(() => onSyntax(draft.problem), [draft.problem, onSyntax]);

  const resetSpec = () => setConfig((c) => mergeFeatureDoc(c, featureDoc(schemas.defaults, trainSchema), trainSchema));

  return (
    <section className="panel features-spec" aria-labelledby="features-spec-title">
      <div className="panel__head">
        <h2 className="panel__title" id="features-spec-title">
          Feature spec
        </h2>
        <button
          type="button"
          className="button button--quiet button--small"
          onClick={resetSpec}
          data-testid="feature-spec-reset"
        >
          Reset to defaults
        </button>
      </div>
      <p className="hint">
        Sensors and derived features, with the seed, label window, split and top-K they are ranked with. Checked against
        the training config&rsquo;s JSON Schema as you type.
      </p>
      <JsonEditor
        value={draft.text}
        onChange={draft.setText}
        schema={schemas.featureDoc}
        schemaUri={FEATURE_DOC_SCHEMA_URI}
        modelUri={MODEL_URI}
        height={430}
        label="Feature spec (JSON)"
        testId="feature-spec-editor"
      />
      <IssueList issues={docIssues} syntax={draft.problem} testId="feature-spec-issues" />
    </section>
  );
}
