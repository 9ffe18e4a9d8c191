/** Worker thread: reads a bundle for the registry (fingerprints, trust) off the thread that serves the UI. */
import { createHash } from 'node:crypto';
import { readBundle } from '../core/export';
import { MANIFEST_FILE } from '../core/export/manifest';
import type { BundleFingerprint, RegistryWorkerRequest, RegistryWorkerValue } from './registry-protocol';
import { serveJob } from './serve-job';

serveJob<RegistryWorkerRequest, RegistryWorkerValue>('registry-worker', async (r) => {
  let bundle: BundleFingerprint;
  try {
    // checksums and layout are checked; the signature is judged against the keyring, never required here
    const b = await readBundle(r.path, { trustedKeys: r.trustedKeys });
    const manifest = b.files.get(MANIFEST_FILE);
    if (manifest === undefined) throw new Error(`${MANIFEST_FILE} is missing`);
    bundle = {
      ok: true,
      manifestSha256: createHash('sha256').update(manifest).digest('hex'),
      trust: b.trust,
      runId: b.manifest.runId,
      datasetFingerprint: b.manifest.dataset.fingerprint,
      config: b.manifest.training.config ?? null,
      metrics: b.manifest.metrics,
    };
  } catch (e) {
    bundle = { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
  return { value: { op: 'fingerprint', bundle } };
});
