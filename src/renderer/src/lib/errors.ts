import { PrognosError } from '../../../shared/errors';

/** Any thrown value as the one typed error class, so views handle a single shape. */
export function asPrognosError(e: unknown): PrognosError {
  if (e instanceof PrognosError) return e;
  if (e instanceof Error) return new PrognosError('INTERNAL', e.message);
  return new PrognosError('INTERNAL', String(e));
}
