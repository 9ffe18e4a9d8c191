import { useCallback, useState } from 'react';
import { formatJson, isJsonObject, jsonEqual, parseJsonText, type JsonObject } from './json-value';

export interface JsonDraft {
  /** the text being edited */
  readonly text: string;
  readonly setText: (text: string) => void;
  /** why the text is not a usable document (a syntax error, or not an object), or null */
  readonly problem: string | null;
}

/**
 * The text of a JSON document that is also edited elsewhere (a form). Edits that parse are applied
 * at once; a change made elsewhere replaces the text, unless the text already says the same. The
 * echo of the text's own edits never replaces it, so typing is never reformatted or undone.
 */
export function useJsonDraft(doc: JsonObject, apply: (next: JsonObject) => void): JsonDraft {
  const [text, setTextState] = useState(() => formatJson(doc));
  const [shownDoc, setShownDoc] = useState(doc);
  const [applied, setApplied] = useState<JsonObject | null>(null);

  if (shownDoc !== doc && !jsonEqual(shownDoc, doc)) {
    setShownDoc(doc);
    const ownEcho = applied !== null && jsonEqual(applied, doc);
    if (!ownEcho) {
      setApplied(null);
      const parsed = parseJsonText(text);
      if (!parsed.ok || !jsonEqual(parsed.value, doc)) setTextState(formatJson(doc));
    }
  }

  const setText = useCallback(
    (next: string) => {
      setTextState(next);
      const parsed = parseJsonText(next);
      if (parsed.ok && isJsonObject(parsed.value)) {
        setApplied(parsed.value);
        apply(parsed.value);
      }
    },
    [apply],
  );

  const parsed = parseJsonText(text);
  const problem = !parsed.ok
    ? `Not valid JSON: ${parsed.message}`
    : isJsonObject(parsed.value)
      ? null
      : 'The document must be a JSON object ({ … }).';
  return { text, setText, problem };
}
