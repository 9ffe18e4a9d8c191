/**
 * Importing a bundle whose manifest matches one in the library asks first: 'ask' refuses with
 * CONFLICT naming it and copies nothing, 'reuse' answers with the library's bundle, 'new' imports
 * another copy under the name given. The shipped demo bundle stands in for an exported one.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppServices } from '../../../src/main/services/app-services';
import { BUILT_IMPORT_WORKER, BUILT_TRAIN_WORKER, REPO, requireBuild, tempDir } from '../../helpers/paths';

const DEMO = join(REPO, 'resources', 'models', 'demo');
let services: AppServices;
let storeDir: string;
const library = (): string[] => readdirSync(join(storeDir, 'bundles')).filter((n) => !n.startsWith('.'));
const importDemo = (extra: { duplicates?: 'ask' | 'reuse' | 'new'; name?: string } = {}) =>
  services.handlers['bundles:import']({ source: { kind: 'path', path: DEMO }, ...extra });

beforeAll(() => {
  requireBuild();
  storeDir = tempDir();
  services = new AppServices({ storeDir, mode: 'cli', importWorker: BUILT_IMPORT_WORKER, trainWorker: BUILT_TRAIN_WORKER, version: 'test', shippedBundles: join(REPO, 'resources', 'models') });
});
afterAll(async () => {
  await services.close();
});

describe('re-import of a bundle already in the library', () => {
  it('asks, reuses or imports a named copy, and the library holds exactly what was chosen', async () => {
    // the shipped demo bundle is in the library: importing the same folder asks
    await expect(importDemo({ duplicates: 'ask' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: 'demo has the same content as the bundle shipped:demo in the library. Open the existing one, or import it again under a new name.',
      details: { existingBundles: [{ bundleId: 'shipped:demo', name: null, origin: 'shipped' }] },
    });
    expect(readdirSync(storeDir)).not.toContain('bundles');
    expect(await importDemo({ duplicates: 'reuse' })).toMatchObject({ bundleId: 'shipped:demo', origin: 'shipped' });

    const copy = await importDemo({ duplicates: 'new', name: 'Demo, second copy' });
    expect(copy).toMatchObject({ origin: 'imported', name: 'Demo, second copy' });
    expect(library()).toHaveLength(1);

    // now the library's own copy is named first
    await expect(importDemo({ duplicates: 'ask' })).rejects.toMatchObject({
      code: 'CONFLICT',
      message: expect.stringContaining(`the bundle "Demo, second copy" (${copy.bundleId})`) as unknown,
      details: { existingBundles: [{ bundleId: copy.bundleId }, { bundleId: 'shipped:demo' }] },
    });
    expect(await importDemo({ duplicates: 'reuse' })).toMatchObject({ bundleId: copy.bundleId });
    expect(library()).toHaveLength(1);
    // without the option: another copy, as before
    expect((await importDemo()).bundleId).not.toBe(copy.bundleId);
    expect(library()).toHaveLength(2);
  });
});
