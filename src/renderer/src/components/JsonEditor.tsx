import { useEffect, useRef, useState } from 'react';
import type { JsonSchema } from '../lib/json-schema';
import { jsonEqual, parseJsonText } from '../lib/json-value';
import type * as MonacoLib from '../lib/monaco';

type MonacoModule = typeof MonacoLib;
type Editor = ReturnType<MonacoModule['monaco']['editor']['create']>;

let loading: Promise<MonacoModule> | null = null;

/** Loads Monaco once, on first use. */
function loadMonaco(): Promise<MonacoModule> {
  loading ??= import('../lib/monaco').catch((e: unknown) => {
    loading = null;
    throw e;
  });
  return loading;
}

/** True when both texts parse to the same JSON value (layout and key spacing do not matter). */
function sameDocument(a: string, b: string): boolean {
  if (a === b) return true;
  const pa = parseJsonText(a);
  const pb = parseJsonText(b);
  return pa.ok && pb.ok && jsonEqual(pa.value, pb.value);
}

/**
 * A JSON document in Monaco with diagnostics from a JSON Schema. The parent owns the document:
 * `value` is shown whenever it means something other than the editor's text (so typing is never
 * reformatted under the cursor), and every edit is reported through `onChange`. While Monaco loads
 * (or if it cannot), a plain text area edits the same document.
 */
export function JsonEditor(props: {
  value: string;
  onChange: (text: string) => void;
  schema: JsonSchema;
  schemaUri: string;
  modelUri: string;
  height: number;
  label: string;
  testId: string;
  /** shown but not editable (e.g. a built-in document) */
  readOnly?: boolean;
}) {
  const { value, schema, schemaUri, modelUri, height, label, testId } = props;
  const readOnly = props.readOnly === true;
  const hostRef = useRef<HTMLDivElement>(null);
  const editorRef = useRef<Editor | null>(null);
  const moduleRef = useRef<MonacoModule | null>(null);
  const onChangeRef = useRef(props.onChange);
  const valueRef = useRef(value);
  const [state, setState] = useState<'loading' | 'ready' | 'failed'>('loading');
  const [markers, setMarkers] = useState(0);

  useEffect(() => {
    onChangeRef.current = props.onChange;
  }, [props.onChange]);
  useEffect(() => {
    valueRef.current = value;
  }, [value]);

  useEffect(() => {
    let disposed = false;
    const cleanups: Array<() => void> = [];
    loadMonaco().then(
      (mod) => {
        const host = hostRef.current;
        if (disposed || host === null) return;
        moduleRef.current = mod;
        const { monaco } = mod;
        const uri = monaco.Uri.parse(modelUri);
        monaco.editor.getModel(uri)?.dispose();
        const model = monaco.editor.createModel(valueRef.current, 'json', uri);
        const editor = monaco.editor.create(host, {
          model,
          ariaLabel: label,
          automaticLayout: true,
          minimap: { enabled: false },
          fontSize: 12,
          lineHeight: 18,
          tabSize: 2,
          insertSpaces: true,
          scrollBeyondLastLine: false,
          renderLineHighlight: 'line',
          fixedOverflowWidgets: true,
          lineNumbersMinChars: 3,
          // Monaco dims the last line number on Linux, below AA contrast
          renderFinalNewline: 'on',
          folding: true,
          wordWrap: 'off',
          scrollbar: { alwaysConsumeMouseWheel: false },
        });
        editorRef.current = editor;
        const content = model.onDidChangeContent(() => onChangeRef.current(model.getValue()));
        const markerWatch = monaco.editor.onDidChangeMarkers((uris) => {
          if (uris.some((u) => u.toString() === uri.toString())) {
            setMarkers(monaco.editor.getModelMarkers({ resource: uri }).length);
          }
        });
        cleanups.push(() => {
          content.dispose();
          markerWatch.dispose();
          editor.dispose();
          model.dispose();
          editorRef.current = null;
        });
        setState('ready');
      },
      () => {
        if (!disposed) setState('failed');
      },
    );
    return () => {
      disposed = true;
      for (const c of cleanups) c();
    };
  }, [modelUri, label]);

  useEffect(() => {
    if (state === 'ready') editorRef.current?.updateOptions({ readOnly });
  }, [state, readOnly]);

  useEffect(() => {
    if (state !== 'ready') return;
    moduleRef.current?.registerSchema(schemaUri, modelUri, schema);
  }, [state, schema, schemaUri, modelUri]);

  useEffect(() => {
    const editor = editorRef.current;
    const model = editor?.getModel();
    if (state !== 'ready' || editor === null || model === null || model === undefined) return;
    if (sameDocument(model.getValue(), value)) return;
    // one undoable edit, so Ctrl+Z in the editor also undoes a change made in the form
    editor.pushUndoStop();
    editor.executeEdits('prognos', [{ range: model.getFullModelRange(), text: value }]);
    editor.pushUndoStop();
  }, [state, value]);

  return (
    <div
      className="json-editor"
      data-testid={testId}
      data-ready={state === 'ready'}
      data-markers={markers}
      style={{ height }}
    >
      <div ref={hostRef} className="json-editor__host" hidden={state !== 'ready'} />
      {state !== 'ready' && (
        <textarea
          className="json-editor__fallback"
          aria-label={label}
          spellCheck={false}
          value={value}
          readOnly={state === 'loading' || readOnly}
          onChange={(e) => props.onChange(e.target.value)}
          data-testid={`${testId}-fallback`}
        />
      )}
      {state === 'loading' && <span className="json-editor__status">Loading editor…</span>}
    </div>
  );
}
