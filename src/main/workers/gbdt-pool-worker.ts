/**
 * Helper thread of the GBDT kernel pool (src/main/core/models/gbdt/pool.ts): solves the self-test,
 * then runs the level kernel on the shared buffers whenever the coordinator starts a generation.
 * Blocking waits (Atomics.wait) happen here only, never on the thread that starts the pool.
 */
import { isMainThread, parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { levelKernel, type KernelContext } from '../core/models/gbdt/kernel';
import {
  CMD,
  CMD_RELOAD,
  CMD_STOP,
  contextOf,
  DONE,
  ERR,
  GEN,
  IDLE,
  type GbdtPoolWorkerData,
  type GbdtSelfTestReport,
  type SharedBuffers,
} from '../core/models/gbdt/pool-protocol';

if (isMainThread || parentPort === null) throw new Error('gbdt-pool-worker must run in a worker thread');
const parent = parentPort;
const data = workerData as GbdtPoolWorkerData;

let report: GbdtSelfTestReport;
try {
  const t = contextOf(data.selfTest);
  levelKernel(t);
  report = { ok: true, res: Array.from(t.res) };
} catch (e) {
  report = { ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
}
parent.postMessage(report);

if (report.ok) {
  const ctl = new Int32Array(data.ctl);
  const port = data.port;
  let ctx: KernelContext | null = null;
  let seen = 0;
  for (;;) {
    Atomics.wait(ctl, GEN, seen);
    const gen = Atomics.load(ctl, GEN);
    if (gen === seen) continue;
    seen = gen;
    const cmd = Atomics.load(ctl, CMD);
    if (cmd === CMD_STOP) break;
    try {
      if (cmd === CMD_RELOAD) {
        let m = receiveMessageOnPort(port);
        while (m === undefined) {
          Atomics.wait(ctl, IDLE, 0, 1);
          m = receiveMessageOnPort(port);
        }
        ctx = contextOf(m.message as SharedBuffers);
      } else {
        if (ctx === null) throw new Error('run before the first reload');
        levelKernel(ctx);
      }
    } catch {
      Atomics.store(ctl, ERR, 1);
    }
    Atomics.add(ctl, DONE, 1);
    Atomics.notify(ctl, DONE);
  }
  port.close();
}
