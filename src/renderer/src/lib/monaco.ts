/**
 * The Monaco editor, loaded on demand (dynamic import) so views without an editor stay light.
 * Everything comes from the local package: the editor API, the editor features a JSON document
 * needs, the JSON language and its worker. Nothing is fetched from elsewhere.
 */
import * as monaco from 'monaco-editor/esm/vs/editor/editor.api';
import 'monaco-editor/esm/vs/editor/browser/coreCommands.js';
import 'monaco-editor/esm/vs/editor/contrib/bracketMatching/browser/bracketMatching.js';
import 'monaco-editor/esm/vs/editor/contrib/clipboard/browser/clipboard.js';
import 'monaco-editor/esm/vs/editor/contrib/contextmenu/browser/contextmenu.js';
import 'monaco-editor/esm/vs/editor/contrib/cursorUndo/browser/cursorUndo.js';
import 'monaco-editor/esm/vs/editor/contrib/find/browser/findController.js';
import 'monaco-editor/esm/vs/editor/contrib/folding/browser/folding.js';
import 'monaco-editor/esm/vs/editor/contrib/format/browser/formatActions.js';
import 'monaco-editor/esm/vs/editor/contrib/gotoError/browser/gotoError.js';
import 'monaco-editor/esm/vs/editor/contrib/hover/browser/hoverContribution.js';
import 'monaco-editor/esm/vs/editor/contrib/indentation/browser/indentation.js';
import 'monaco-editor/esm/vs/editor/contrib/linesOperations/browser/linesOperations.js';
import 'monaco-editor/esm/vs/editor/contrib/multicursor/browser/multicursor.js';
import 'monaco-editor/esm/vs/editor/contrib/smartSelect/browser/smartSelect.js';
import 'monaco-editor/esm/vs/editor/contrib/suggest/browser/suggestController.js';
import 'monaco-editor/esm/vs/editor/contrib/wordHighlighter/browser/wordHighlighter.js';
import 'monaco-editor/esm/vs/editor/contrib/wordOperations/browser/wordOperations.js';
import 'monaco-editor/esm/vs/base/browser/ui/codicons/codiconStyles.js';
import 'monaco-editor/esm/vs/language/json/monaco.contribution';
import EditorWorker from 'monaco-editor/esm/vs/editor/editor.worker?worker';
import JsonWorker from 'monaco-editor/esm/vs/language/json/json.worker?worker';

// An editor disposed while it is busy (a view left mid-load) cancels its pending work, and some of
// those promises reject with Monaco's CancellationError ("Canceled") where nobody awaits them. That is
// the normal end of that work, not an error to report; anything else still is.
window.addEventListener('unhandledrejection', (e) => {
  const reason: unknown = e.reason;
  if (reason instanceof Error && reason.name === 'Canceled' && reason.message === 'Canceled') e.preventDefault();
});

self.MonacoEnvironment = {
  getWorker(_workerId: string, label: string): Worker {
    return label === 'json' ? new JsonWorker({ name: 'json' }) : new EditorWorker({ name: 'editor' });
  },
};

const schemas = new Map<string, { uri: string; fileMatch: string[]; schema: unknown }>();

function applySchemas(): void {
  monaco.languages.json.jsonDefaults.setDiagnosticsOptions({
    validate: true,
    allowComments: false,
    enableSchemaRequest: false,
    schemaValidation: 'error',
    schemas: [...schemas.values()],
  });
}

/** Validates documents at `modelUri` against `schema` (replacing an earlier schema of that id). */
export function registerSchema(schemaUri: string, modelUri: string, schema: unknown): void {
  schemas.set(schemaUri, { uri: schemaUri, fileMatch: [modelUri], schema });
  applySchemas();
}

export { monaco };
