import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/** The NASA C-MAPSS files (read in place, never copied). */
export const CMAPSS_DIR = process.env.PROGNOS_CMAPSS_DIR ?? '/work/shared/data/cmapss';
export const cmapss = (name: string): string => join(CMAPSS_DIR, name);

const fixtures = fileURLToPath(new URL('../../fixtures/', import.meta.url));
export const bad = (name: string): string => join(fixtures, 'bad', name);
export const data = (name: string): string => join(fixtures, 'data', name);
