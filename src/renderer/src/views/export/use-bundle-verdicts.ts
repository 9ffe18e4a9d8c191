import { useCallback, useState } from 'react';
import type { PrognosError } from '../../../../shared/errors';
import { useApi } from '../../api/context';
import { asPrognosError } from '../../lib/errors';

export interface BundleProblem {
  readonly file: string;
  readonly reason: string;
}

export type VerdictState =
  | { readonly status: 'checking' }
  | { readonly status: 'done'; readonly ok: boolean; readonly problems: readonly BundleProblem[] }
  | { readonly status: 'error'; readonly error: PrognosError };

/** The last verification of each bundle, by id; `verify` checks a bundle again. */
export function useBundleVerdicts(): {
  verdicts: ReadonlyMap<string, VerdictState>;
  verify: (bundleId: string) => void;
} {
  const api = useApi();
  const [verdicts, setVerdicts] = useState<ReadonlyMap<string, VerdictState>>(new Map());
  const set = useCallback((bundleId: string, state: VerdictState) => {
    setVerdicts((prev) => new Map(prev).set(bundleId, state));
  }, []);
  const verify = useCallback(
    (bundleId: string) => {
      set(bundleId, { status: 'checking' });
      api.bundlesVerify({ bundleId }).then(
        (v) => set(bundleId, { status: 'done', ok: v.ok, problems: v.problems }),
        (e: unknown) => set(bundleId, { status: 'error', error: asPrognosError(e) }),
      );
    },
    [api, set],
  );
  return { verdicts, verify };
}
