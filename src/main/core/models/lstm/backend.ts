/**
 * Run-time choice of the tfjs backend for the sequence model:
 * 1. `tensorflow` — @tensorflow/tfjs-node (native TensorFlow) when it is installed and loads;
 *    it is optional and required at run time only;
 * 2. `wasm` — @tensorflow/tfjs-backend-wasm with the SIMD binary from the package's own dist
 *    folder (threads off: the model parallelises with worker threads instead);
 * 3. `cpu` — plain JavaScript kernels, the last resort.
 */
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';

export type LstmBackend = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendChoice {
  backend: LstmBackend;
  /** why faster backends were not used (empty when the first choice loaded) */
  notes: string[];
}

export interface SelectBackendOptions {
  /** skip faster backends: 'wasm' never tries tfjs-node, 'cpu' uses the JavaScript kernels */
  prefer?: LstmBackend;
}

// CommonJS bundles and vitest define __filename; elsewhere resolve from the working directory
const nodeRequire = createRequire(typeof __filename === 'string' ? __filename : join(process.cwd(), 'index.js'));
/** Optional native backend; never a declared dependency (its install downloads libtensorflow). */
const TFJS_NODE = '@tensorflow/tfjs-node';
let choice: BackendChoice | undefined;
let pending: Promise<BackendChoice> | undefined;

/** Folder holding the wasm binaries (…/tfjs-backend-wasm/dist/), with a trailing separator. */
export function wasmBinaryFolder(): string {
  return dirname(nodeRequire.resolve('@tensorflow/tfjs-backend-wasm')) + sep;
}

function message(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

async function trySet(name: LstmBackend): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    if (ok) await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

async function choose(prefer: LstmBackend): Promise<BackendChoice> {
  const notes: string[] = [];
  if (prefer === 'tensorflow') {
    try {
      nodeRequire(TFJS_NODE);
      if (tf.findBackendFactory('tensorflow') === null)
        notes.push('tfjs-node loaded but registered with another tfjs instance');
      else if (await trySet('tensorflow')) return { backend: 'tensorflow', notes };
      else notes.push('tfjs-node backend failed to initialise');
    } catch (e) {
      notes.push(`tfjs-node unavailable: ${message(e)}`);
    }
  }
  if (prefer !== 'cpu') {
    try {
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      // used by the backend's first initialisation; setting them again later changes nothing
      setWasmPaths(wasmBinaryFolder());
      if (await trySet('wasm')) return { backend: 'wasm', notes };
      notes.push('wasm backend failed to initialise');
    } catch (e) {
      notes.push(`wasm backend unavailable: ${message(e)}`);
    }
  }
  if (await trySet('cpu')) {
    // the cpu backend prints a "use tfjs-node" banner on its first tensor; the notes say it instead
    const cpu = tf.backend() as unknown as { firstUse?: boolean };
    if (cpu.firstUse === true) cpu.firstUse = false;
    notes.push('running on the JavaScript cpu backend (slow)');
    return { backend: 'cpu', notes };
  }
  throw new Error(`no tfjs backend could be initialised (${notes.join('; ')})`);
}

/**
 * Picks and activates the fastest available backend (once per process; later calls return the same
 * answer unless `prefer` asks for a different one).
 */
export async function selectBackendDetailed(opts: SelectBackendOptions = {}): Promise<BackendChoice> {
  const prefer = opts.prefer ?? 'tensorflow';
  if (choice !== undefined && (opts.prefer === undefined || choice.backend === prefer)) {
    if (tf.getBackend() !== choice.backend) await trySet(choice.backend);
    return choice;
  }
  if (pending === undefined || opts.prefer !== undefined) {
    pending = choose(prefer).then((c) => {
      choice = c;
      return c;
    });
  }
  try {
    return await pending;
  } finally {
    pending = undefined;
  }
}

export async function selectBackend(opts: SelectBackendOptions = {}): Promise<LstmBackend> {
  return (await selectBackendDetailed(opts)).backend;
}

/** The backend tfjs currently runs on, as one of ours (null before selectBackend). */
export function activeBackend(): LstmBackend | null {
  const name = tf.getBackend() as string | undefined;
  return name === 'tensorflow' || name === 'wasm' || name === 'cpu' ? name : null;
}
