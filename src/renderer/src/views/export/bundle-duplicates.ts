/** A bundle import that found the same content in the library: what the dialog asks about. */
import type { PrognosError } from '../../../../shared/errors';

/** a bundle of the library with the same manifest as the one being imported */
export interface ExistingBundle {
  readonly bundleId: string;
  readonly name: string | null;
}

export interface PendingDuplicate {
  readonly existing: readonly ExistingBundle[];
  readonly fileName: string;
  /** imports the same bundle again, as a copy under this name */
  readonly importAgain: (name: string) => void;
}

/** The bundles a CONFLICT names as having the same content (`details.existingBundles`), or null for another error. */
export function existingBundlesOf(error: PrognosError): ExistingBundle[] | null {
  const raw = error.code === 'CONFLICT' ? error.details?.existingBundles : undefined;
  if (!Array.isArray(raw)) return null;
  const out: ExistingBundle[] = [];
  for (const e of raw as unknown[]) {
    if (typeof e !== 'object' || e === null) continue;
    const r = e as Record<string, unknown>;
    if (typeof r.bundleId === 'string') out.push({ bundleId: r.bundleId, name: typeof r.name === 'string' ? r.name : null });
  }
  return out.length > 0 ? out : null;
}
