/**
 * A bundle of the library as one .zip to hand out (a browser download, the desktop app's save
 * dialog): read and verified like every bundle read (links, devices and unlisted names are never
 * followed or packed; a checksum or signature problem refuses the whole archive), then written with
 * the same ZIP writer as `prognos export --zip`, so `bundles:import` reads it back.
 */
import { readBundle } from './bundle';
import type { TrustedKey } from './trust';
import { writeZip } from './zip';

export interface BundleArchive {
  /** the .zip's bytes: exactly the files the bundle's SHA256SUMS lists, manifest.json, SHA256SUMS and SIGNATURE */
  readonly bytes: Uint8Array;
  readonly runId: string;
  readonly files: readonly string[];
}

/** Packs the bundle folder or .zip at `path`; refused (BAD_FILE, naming the files) unless every check passes. */
export async function archiveBundle(path: string, opts: { displayName: string; trustedKeys?: readonly TrustedKey[] }): Promise<BundleArchive> {
  const b = await readBundle(path, { displayName: opts.displayName, ...(opts.trustedKeys === undefined ? {} : { trustedKeys: opts.trustedKeys }) });
  const names = [...b.files.keys()].sort();
  const created = new Date(b.manifest.created);
  const bytes = writeZip(
    names.map((name) => ({ name, data: b.files.get(name)! })),
    Number.isNaN(created.getTime()) ? new Date(0) : created,
  );
  return { bytes, runId: b.manifest.runId, files: names };
}
