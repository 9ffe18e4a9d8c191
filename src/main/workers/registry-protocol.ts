/** Requests and answers of the registry worker: read one bundle for its fingerprints and trust. */
import type { BundleTrust, TrustedKey } from '../core/export';

export type RegistryWorkerRequest = Readonly<{ op: 'fingerprint'; path: string; trustedKeys: readonly TrustedKey[] }>;

/** a bundle read (checksums checked, signature judged against the keyring), or why it could not be */
export type BundleFingerprint =
  | Readonly<{
      ok: true;
      /** SHA-256 of manifest.json as stored */
      manifestSha256: string;
      trust: BundleTrust;
      runId: string;
      datasetFingerprint: string;
      /** the training config the manifest carries, if any */
      config: unknown;
      metrics: Record<string, unknown>;
    }>
  | Readonly<{ ok: false; reason: string }>;

export type RegistryWorkerValue = Readonly<{ op: 'fingerprint'; bundle: BundleFingerprint }>;
