import { useEffect, useMemo, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { StoredTemplate } from '../../../../shared/report';
import { useApi } from '../../api/context';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ErrorMessage } from '../../components/ErrorMessage';
import { JsonEditor } from '../../components/JsonEditor';
import { asPrognosError } from '../../lib/errors';
import { TEMPLATE_SCHEMA_URI, newTemplateText, templateJsonSchema, templateLabel, templateText } from './reports-model';

const MODEL_URI = 'inmemory://prognos/reports/template.json';
const NEW = '';

/**
 * The report templates in Monaco under the template's JSON Schema: open one, make a new one from a
 * copy, save (the store checks it again and names the line, column and key of what is wrong) or
 * delete. The built-in template is shown read-only.
 */
export function TemplateEditor(props: {
  templates: readonly StoredTemplate[];
  /** the template to open first */
  initialId: string | null;
  onSaved: (t: StoredTemplate) => void;
  onDeleted: (templateId: string) => void;
  onClose: () => void;
}) {
  const api = useApi();
  const schema = useMemo(() => templateJsonSchema(), []);
  // a template just saved stays open until the reloaded list holds it
  const [lastSaved, setLastSaved] = useState<StoredTemplate | null>(null);
  const templates = useMemo(
    () =>
      lastSaved === null || props.templates.some((t) => t.templateId === lastSaved.templateId)
        ? props.templates
        : [...props.templates, lastSaved],
    [props.templates, lastSaved],
  );
  const builtIn = templates.find((t) => t.builtIn) ?? null;
  const [openId, setOpenId] = useState<string>(props.initialId ?? builtIn?.templateId ?? NEW);
  const open = templates.find((t) => t.templateId === openId) ?? null;
  const [text, setText] = useState<string>(() => (open === null ? '' : templateText(open.template)));
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<PrognosError | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const readOnly = open?.builtIn === true;

  // a template deleted elsewhere, or a first list arriving: fall back to the built-in one
  useEffect(() => {
    if (openId !== NEW && open === null && builtIn !== null) {
      setOpenId(builtIn.templateId);
      setText(templateText(builtIn.template));
    }
  }, [openId, open, builtIn]);

  const choose = (id: string) => {
    const t = templates.find((x) => x.templateId === id);
    if (t === undefined) return;
    setOpenId(id);
    setText(templateText(t.template));
    setError(null);
    setSaved(null);
  };

  const startNew = () => {
    const from = open?.template ?? builtIn?.template;
    if (from === undefined) return;
    setOpenId(NEW);
    setText(newTemplateText(from, templates));
    setError(null);
    setSaved(null);
  };

  const save = () => {
    if (readOnly || saving) return;
    setSaving(true);
    setError(null);
    setSaved(null);
    api
      .templatesSave({ ...(openId === NEW ? {} : { templateId: openId }), text })
      .then(
        (t) => {
          setLastSaved(t);
          setOpenId(t.templateId);
          setText(templateText(t.template));
          setSaved(`Saved “${t.template.name}”.`);
          props.onSaved(t);
        },
        (e: unknown) => setError(asPrognosError(e)),
      )
      .finally(() => setSaving(false));
  };

  const remove = () => {
    if (open === null || open.builtIn) return;
    const id = open.templateId;
    setConfirmDelete(false);
    api.templatesDelete({ templateId: id }).then(
      () => {
        if (lastSaved?.templateId === id) setLastSaved(null);
        props.onDeleted(id);
        if (builtIn !== null) choose(builtIn.templateId);
        setSaved(`Deleted “${open.template.name}”.`);
      },
      (e: unknown) => setError(asPrognosError(e)),
    );
  };

  return (
    <section className="panel reports-templates" aria-labelledby="reports-templates-title" data-testid="report-templates">
      <div className="panel__head">
        <h2 className="panel__title" id="reports-templates-title">
          Report templates
        </h2>
        <button type="button" className="button button--quiet button--small" onClick={props.onClose} data-testid="report-templates-close">
          Close
        </button>
      </div>
      <div className="reports-templates__bar">
        <label className="field">
          <span className="field-label">Template</span>
          <select className="input" value={openId} onChange={(e) => choose(e.target.value)} data-testid="report-templates-select">
            {openId === NEW && <option value={NEW}>New template (not saved)</option>}
            {templates.map((t) => (
              <option key={t.templateId} value={t.templateId}>
                {templateLabel(t)}
              </option>
            ))}
          </select>
        </label>
        <button type="button" className="button" onClick={startNew} disabled={builtIn === null} data-testid="report-templates-new" title="A new template from a copy of the one open">
          New from copy
        </button>
        <button type="button" className="button button--primary" onClick={save} disabled={readOnly || saving || text.trim() === ''} data-testid="report-templates-save">
          {saving ? 'Saving…' : 'Save'}
        </button>
        <button
          type="button"
          className="button button--danger"
          onClick={() => setConfirmDelete(true)}
          disabled={open === null || open.builtIn}
          data-testid="report-templates-delete"
        >
          Delete
        </button>
      </div>
      {readOnly && (
        <p className="hint" data-testid="report-templates-readonly">
          The built-in template is read-only: <strong>New from copy</strong> makes an editable one.
        </p>
      )}
      <JsonEditor
        value={text}
        onChange={setText}
        schema={schema}
        schemaUri={TEMPLATE_SCHEMA_URI}
        modelUri={MODEL_URI}
        height={420}
        label="Report template (JSON)"
        testId="report-template-editor"
        readOnly={readOnly}
      />
      {error !== null && (
        <ErrorMessage error={error} title="The template was not saved" onDismiss={() => setError(null)} testId="report-templates-error" />
      )}
      {saved !== null && (
        <p className="notice notice--success" data-testid="report-templates-saved">
          {saved}
        </p>
      )}
      <ConfirmDialog
        open={confirmDelete}
        title="Delete this template?"
        confirmLabel="Delete template"
        danger
        onConfirm={remove}
        onCancel={() => setConfirmDelete(false)}
      >
        <p>
          “{open?.template.name}” is removed from the store. Reports already generated with it keep its name and
          fingerprint.
        </p>
      </ConfirmDialog>
    </section>
  );
}
