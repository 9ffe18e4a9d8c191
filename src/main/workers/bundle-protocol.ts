/** Requests and answers of the bundle worker: verify one bundle, or read the manifests of several. */
import type { BundleManifest, VerifyResult } from '../core/export';

export type BundleRequest = Readonly<{ op: 'verify'; path: string }> | Readonly<{ op: 'read'; paths: readonly string[] }>;

/** one bundle read (checksums and signature checked), or why it could not be */
export type BundleRead = Readonly<{ ok: true; manifest: BundleManifest; files: string[] }> | Readonly<{ ok: false; reason: string }>;

export type BundleValue = Readonly<{ op: 'verify'; result: VerifyResult }> | Readonly<{ op: 'read'; bundles: BundleRead[] }>;
