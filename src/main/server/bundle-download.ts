/**
 * Browser mode's bundle download: `GET /api/download/bundle?bundleId=ID` (token as for every API
 * call) answers the bundle as a .zip attachment, packed by `ExportService.archive` in the bundle
 * worker. Only an id of the library is accepted; a path, `..`, or a link placed in the library is
 * refused, and nothing but the verified files is sent.
 */
import type { ServerResponse } from 'node:http';
import { toErrorValue, type ErrorValue } from '../../shared/errors';
import type { ExportService } from '../services/exports';

export const BUNDLE_DOWNLOAD_PATH = '/api/download/bundle';

function statusOf(e: ErrorValue): number {
  switch (e.code) {
    case 'NOT_FOUND':
      return 404;
    case 'FORBIDDEN':
      return 403;
    case 'BAD_FILE':
    case 'INVALID_INPUT':
      return 422;
    default:
      return 500;
  }
}

function sendError(res: ServerResponse, error: ErrorValue): void {
  res.writeHead(statusOf(error), { 'content-type': 'application/json', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(JSON.stringify({ ok: false, error }));
}

/** Answers one download request; `bundleId` is the query's value (null when absent). */
export async function sendBundleArchive(exports: ExportService, res: ServerResponse, bundleId: string | null): Promise<void> {
  if (bundleId === null || bundleId === '' || bundleId.length > 300) {
    return sendError(res, { code: 'INVALID_INPUT', message: 'bundleId: give the id of a bundle of the library (as bundles:list names it).' });
  }
  let archive: { fileName: string; bytes: Uint8Array };
  try {
    archive = await exports.archive(bundleId);
  } catch (e) {
    return sendError(res, toErrorValue(e));
  }
  res.writeHead(200, {
    'content-type': 'application/zip',
    'content-length': String(archive.bytes.byteLength),
    // the name is plain ASCII (archiveFileName), so no encoding is needed
    'content-disposition': `attachment; filename="${archive.fileName}"`,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
  });
  res.end(Buffer.from(archive.bytes.buffer, archive.bytes.byteOffset, archive.bytes.byteLength));
}
