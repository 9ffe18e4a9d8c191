/** Worker thread: checks bundles (checksums, signature, manifest) off the thread that serves the UI. */
import { assertNever } from '../../shared/brand';
import { PrognosError } from '../../shared/errors';
import { archiveBundle, readBundle, verifyBundle } from '../core/export';
import type { BundleRead, BundleRequest, BundleValue } from './bundle-protocol';
import { serveJob } from './serve-job';

serveJob<BundleRequest, BundleValue>('bundle-worker', async (r, task) => {
  switch (r.op) {
    case 'verify':
      return { value: { op: 'verify', result: await verifyBundle(r.path, r.options) } };
    case 'read': {
      const bundles: BundleRead[] = [];
      for (const path of r.paths) {
        if (task.signal.aborted) throw new PrognosError('CANCELLED', 'Cancelled.');
        try {
          const b = await readBundle(path, { trustedKeys: r.trustedKeys });
          bundles.push({ ok: true, manifest: b.manifest, files: [...b.files.keys()].sort(), trust: b.trust });
        } catch (e) {
          bundles.push({ ok: false, reason: e instanceof Error ? e.message : String(e) });
        }
      }
      return { value: { op: 'read', bundles } };
    }
    case 'archive': {
      const a = await archiveBundle(r.path, { displayName: r.displayName, trustedKeys: r.trustedKeys });
      const bytes = a.bytes.byteOffset === 0 && a.bytes.byteLength === a.bytes.buffer.byteLength ? a.bytes : a.bytes.slice();
      return { value: { op: 'archive', bytes, files: a.files }, transfer: [bytes.buffer as ArrayBuffer] };
    }
    default:
      return assertNever(r, 'bundle request');
  }
});
