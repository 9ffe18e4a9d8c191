/** Requests and answers of the bundle worker: verify one bundle, or read the manifests of several. */
import type { BundleManifest, BundleTrust, TrustedKey, VerifyOptions, VerifyResult } from '../core/export';

export type BundleRequest =
  | Readonly<{ op: 'verify'; path: string; options: VerifyOptions }>
  /** read with the keyring but without the policy: an untrusted bundle is still listed, with its verdict */
  | Readonly<{ op: 'read'; paths: readonly string[]; trustedKeys: readonly TrustedKey[] }>
  /** one bundle packed as a .zip after every check passed (a download, a save) */
  | Readonly<{ op: 'archive'; path: string; displayName: string; trustedKeys: readonly TrustedKey[] }>;

/** one bundle read (checksums and signature checked), or why it could not be */
export type BundleRead = Readonly<{ ok: true; manifest: BundleManifest; files: string[]; trust: BundleTrust }> | Readonly<{ ok: false; reason: string }>;

export type BundleValue =
  | Readonly<{ op: 'verify'; result: VerifyResult }>
  | Readonly<{ op: 'read'; bundles: BundleRead[] }>
  | Readonly<{ op: 'archive'; bytes: Uint8Array; files: readonly string[] }>;
