import { resolve } from 'node:path';
import { PrognosError } from '../../../shared/errors';
import { ExperimentStore } from '../../core/store/store';
import { parseCommandArgs, storeDirOption } from '../args';
import type { Output } from '../output';

export async function storeCommand(argv: string[], out: Output): Promise<void> {
  const { values, positionals } = parseCommandArgs(argv, { force: { type: 'boolean', default: false } });
  const [action, file, extra] = positionals;
  if ((action !== 'backup' && action !== 'restore') || file === undefined || file === '' || extra !== undefined) {
    throw new PrognosError('INVALID_INPUT', 'Usage: prognos store backup FILE [--force] | prognos store restore FILE');
  }
  if (action === 'restore' && values.force) throw new PrognosError('INVALID_INPUT', '--force applies to `store backup` only.');
  const dir = storeDirOption(values.store);
  const target = resolve(file);
  if (action === 'backup') {
    const store = ExperimentStore.open(dir);
    try {
      await store.backup(target, { force: values.force });
    } finally {
      store.close();
    }
    out.result({ action, file: target, store: dir }, () => `Backed up ${dir} to ${target}.`);
  } else {
    ExperimentStore.restore(dir, target);
    out.result({ action, file: target, store: dir }, () => `Restored ${dir} from ${target}.`);
  }
}
