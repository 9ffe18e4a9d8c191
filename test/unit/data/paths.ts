import { join } from 'node:path';
import { CMAPSS, FIXTURES } from '../../helpers/paths';

/** The NASA C-MAPSS files (read in place beside the repository, never copied). */
export const CMAPSS_DIR = process.env.PROGNOS_CMAPSS_DIR ?? CMAPSS;
export const cmapss = (name: string): string => join(CMAPSS_DIR, name);

export const bad = (name: string): string => join(FIXTURES, 'bad', name);
export const data = (name: string): string => join(FIXTURES, 'data', name);
