/**
 * The store's schema history, oldest first. Append new migrations; never edit a released one.
 * Versions increase; a gap (a number reserved for a migration merged later) is allowed.
 */
import { migration001 } from './001-datasets';
import { migration002 } from './002-experiments-runs';
import { migration003 } from './003-artifacts-models-reports';
import { migration004 } from './004-column-checksums';
import { migration005 } from './005-keyring';
import { migration006 } from './006-dataset-regimes';
import { migration007 } from './007-drift-reports';
import { migration008 } from './008-alerts';
import { migration009 } from './009-fleet-reports';
import { migration010 } from './010-roles-names';
import { migration011 } from './011-column-mappings';
import { migration012 } from './012-experiments-notes-tags';
import { migration013 } from './013-sweeps';
import { migration014 } from './014-registry';
import { migration015 } from './015-stored-results';
import { migration016 } from './016-pipelines';
import type { Migration } from './types';

export type { Migration } from './types';

export const MIGRATIONS: readonly Migration[] = [migration001, migration002, migration003, migration004, migration005, migration006, migration007, migration008, migration009, migration010, migration011, migration012, migration013, migration014, migration015, migration016];

/** The schema version this build writes. */
export const LATEST_SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]!.version;
