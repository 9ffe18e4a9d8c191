import { useEffect, useState } from 'react';
import { copyText } from '../lib/clipboard';

type CopyState = 'idle' | 'copied' | 'failed';

const FEEDBACK_MS = 1800;

/** A file or folder path shown in full (selectable), with a button that copies it. */
export function CopyPath(props: { path: string; testId: string; label?: string }) {
  const [state, setState] = useState<CopyState>('idle');

  useEffect(() => {
    if (state === 'idle') return;
    const timer = window.setTimeout(() => setState('idle'), FEEDBACK_MS);
    return () => window.clearTimeout(timer);
  }, [state]);

  const copy = () => {
    void copyText(props.path).then((ok) => setState(ok ? 'copied' : 'failed'));
  };

  return (
    <div className="copy-path" data-testid={props.testId}>
      <code className="copy-path__text" data-testid={`${props.testId}-text`}>
        {props.path}
      </code>
      <button
        type="button"
        className="button button--small copy-path__button"
        onClick={copy}
        aria-label={`Copy ${props.label ?? 'the path'}`}
        data-testid={`${props.testId}-copy`}
      >
        {state === 'copied' ? 'Copied' : 'Copy'}
      </button>
      <span className="visually-hidden" aria-live="polite">
        {state === 'copied'
          ? 'Path copied'
          : state === 'failed'
            ? 'The path could not be copied; select it instead'
            : ''}
      </span>
      {state === 'failed' && <span className="hint">Select the path and copy it by hand.</span>}
    </div>
  );
}
