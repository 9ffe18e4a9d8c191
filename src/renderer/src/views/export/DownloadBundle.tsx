import { useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import type { BundleEntry } from '../../../../shared/schemas';
import { useTransport } from '../../api/context';
import type { SavedBundle } from '../../api/transport';
import { ErrorMessage } from '../../components/ErrorMessage';
import { asPrognosError } from '../../lib/errors';

function formatBytes(n: number): string {
  if (n < 1024) return `${n} bytes`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

type State =
  | { readonly status: 'idle' }
  | { readonly status: 'working' }
  | { readonly status: 'done'; readonly saved: SavedBundle }
  | { readonly status: 'error'; readonly error: PrognosError };

/**
 * Download (browser mode) or Save as… (desktop app): the bundle as one .zip of its verified files,
 * the same archive `prognos export --zip` writes, so importing it again gives the same bundle.
 */
export function DownloadBundle({ entry }: { entry: BundleEntry }) {
  const transport = useTransport();
  const [state, setState] = useState<State>({ status: 'idle' });
  const label = transport.mode === 'electron' ? 'Save as .zip…' : 'Download .zip';

  const run = () => {
    setState({ status: 'working' });
    transport.saveBundle(entry.bundleId).then(
      (saved) => setState(saved === null ? { status: 'idle' } : { status: 'done', saved }),
      (e: unknown) => setState({ status: 'error', error: asPrognosError(e) }),
    );
  };

  return (
    <>
      <button
        type="button"
        className="button button--small"
        onClick={run}
        disabled={state.status === 'working'}
        title="The bundle's checked files as one .zip; Import in this view (or in another store) reads it back"
        data-testid="bundle-download"
      >
        {state.status === 'working' ? 'Packing…' : label}
      </button>
      {state.status === 'done' && (
        <p
          className="hint bundle-download__done"
          role="status"
          data-testid="bundle-downloaded"
          data-file={state.saved.fileName}
        >
          {state.saved.path === null
            ? `Downloaded ${state.saved.fileName} (${formatBytes(state.saved.bytes)}).`
            : `Saved ${state.saved.path} (${formatBytes(state.saved.bytes)}).`}
        </p>
      )}
      {state.status === 'error' && (
        <ErrorMessage
          error={state.error}
          title="The bundle could not be downloaded"
          onDismiss={() => setState({ status: 'idle' })}
          testId="bundle-download-error"
        />
      )}
    </>
  );
}
