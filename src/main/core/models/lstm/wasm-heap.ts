/**
 * The one place where the fused LSTM kernels touch the wasm backend beyond tfjs' public ops.
 *
 * Allocation, views and offsets go through public methods of `BackendWasm` (makeOutput,
 * typedArrayFromHeap, disposeData, getMemoryOffset). Only the backend's WebAssembly.Memory object
 * (which the SIMD module imports so it can work in place) is not exposed by any API: it is read
 * from the Emscripten module the backend holds. That layout is specific to the tfjs release, so
 * the versions are pinned (package.json) and checked when the fused kernels are first used.
 */
import type { TensorInfo } from '@tensorflow/tfjs';
import { version_wasm } from '@tensorflow/tfjs-backend-wasm';
import { PrognosError } from '../../../../shared/errors';

/** The tfjs core and wasm backend release the fused kernels are written and tested against. */
export const PINNED_TFJS_VERSION = '4.22.0';

/** Throws a clear error unless tfjs-core and tfjs-backend-wasm are the pinned release. */
export function checkTfjsVersions(core: string, wasm: string = version_wasm): void {
  const found: string[] = [];
  if (core !== PINNED_TFJS_VERSION) found.push(`@tensorflow/tfjs-core ${core}`);
  if (wasm !== PINNED_TFJS_VERSION) found.push(`@tensorflow/tfjs-backend-wasm ${wasm}`);
  if (found.length > 0) {
    throw new PrognosError(
      'INTERNAL',
      `The fused LSTM kernels need tfjs ${PINNED_TFJS_VERSION} (they read the wasm backend's memory); found ${found.join(
        ' and ',
      )}. Install the pinned versions from package.json.`,
    );
  }
}

/** The public methods of BackendWasm used here (typed structurally: vitest may load a second copy). */
interface BackendWasmMethods {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
  disposeData(dataId: object): boolean;
  getMemoryOffset(dataId: object): number;
  wasm?: unknown;
}

function isBackendWasm(b: unknown): b is BackendWasmMethods {
  const o = b as Partial<Record<keyof BackendWasmMethods, unknown>> | null;
  return (
    typeof o === 'object' &&
    o !== null &&
    typeof o.makeOutput === 'function' &&
    typeof o.typedArrayFromHeap === 'function' &&
    typeof o.disposeData === 'function' &&
    typeof o.getMemoryOffset === 'function'
  );
}

/** WebAssembly.Memory (the node typings do not declare WebAssembly's values). */
const WasmMemory = (globalThis as unknown as { WebAssembly?: { Memory: abstract new (...args: never[]) => object } })
  .WebAssembly?.Memory;

/** float32 tensors on the wasm backend's heap. */
export class WasmHeap {
  private constructor(
    /** the backend itself, for calling its kernels */
    readonly backend: unknown,
    private readonly be: BackendWasmMethods,
  ) {}

  private static readonly cache = new WeakMap<object, WasmHeap>();

  /** The heap of a kernel's `backend` argument (the wasm backend). */
  static of(backend: unknown): WasmHeap {
    if (!isBackendWasm(backend))
      throw new PrognosError('INTERNAL', 'The fused LSTM kernels ran on a backend other than wasm.');
    let h = WasmHeap.cache.get(backend);
    if (h === undefined) {
      h = new WasmHeap(backend, backend);
      WasmHeap.cache.set(backend, h);
    }
    return h;
  }

  /** A new float32 tensor (uninitialised). */
  alloc(shape: number[]): TensorInfo {
    return this.be.makeOutput(shape, 'float32');
  }

  /** A fresh view of a tensor's data: the heap may grow (and detach old views) on every allocation. */
  view(info: TensorInfo): Float32Array {
    return this.be.typedArrayFromHeap(info);
  }

  free(info: TensorInfo): void {
    this.be.disposeData(info.dataId);
  }

  /** Byte offset of a tensor's data in the backend's memory (stable while the tensor lives). */
  offset(info: TensorInfo): number {
    return this.be.getMemoryOffset(info.dataId);
  }

  /** The backend's WebAssembly.Memory, or null when this build does not expose it. */
  memory(): object | null {
    const m = this.be.wasm as { asm?: { memory?: unknown }; wasmMemory?: unknown } | undefined;
    const memory = m?.asm?.memory ?? m?.wasmMemory;
    return WasmMemory !== undefined && memory instanceof WasmMemory ? memory : null;
  }
}
