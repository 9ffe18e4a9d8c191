/**
 * Worker thread of `prognos serve-model`: the scoring of POST /predict and GET /units/{unit}/risk
 * (the features the models read, then gbdt.onnx, lstm.onnx and the RUL models in onnxruntime,
 * micro-batched) off the thread that answers requests. It runs FastScorer, the same code the server
 * runs in-process, on sessions of its own made with the same single-threaded options, so the numbers
 * are the same to the bit (src/main/serve-model/score-thread.ts).
 */
import { InferenceSession } from 'onnxruntime-node';
import { parentPort, workerData } from 'node:worker_threads';
import { PrognosError } from '../../shared/errors';
import { FastScorer, SERVE_SESSION_OPTIONS } from '../serve-model/fast-scorer';
import type { ScoreThreadInit, ScoreThreadReply, ScoreThreadRequest } from '../serve-model/score-protocol';

const port = parentPort!;
const post = (m: ScoreThreadReply): void => port.postMessage(m);
const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

async function main(init: ScoreThreadInit): Promise<void> {
  const files = new Map(init.files);
  const sessions: InferenceSession[] = [];
  let scorer: FastScorer;
  try {
    const m = init.manifest;
    const load = async (file: string): Promise<InferenceSession> => {
      const bytes = files.get(file);
      if (bytes === undefined) throw new PrognosError('BAD_FILE', `the bundle has no ${file}`);
      const s = await InferenceSession.create(bytes, SERVE_SESSION_OPTIONS);
      sessions.push(s);
      return s;
    };
    const gbdt = await load(m.models.gbdt.file);
    const lstm = m.models.lstm === undefined ? undefined : await load(m.models.lstm.file);
    scorer = await FastScorer.open(m, files, lstm === undefined ? { gbdt } : { gbdt, lstm });
    post({ type: 'ready' });
  } catch (e) {
    await Promise.all(sessions.map((s) => s.release()));
    post({ type: 'failed', message: message(e), code: e instanceof PrognosError ? e.code : 'INTERNAL' });
    return;
  }
  port.on('message', (r: ScoreThreadRequest) => {
    if (r.type === 'close') {
      void scorer
        .close()
        .then(() => Promise.all(sessions.map((s) => s.release())))
        .finally(() => post({ type: 'closed' }));
      return;
    }
    scorer.scoreUnits(r.table).then(
      (scores) => post({ type: 'scored', id: r.id, scores, stats: scorer.stats() }),
      (e: unknown) => post({ type: 'scoreFailed', id: r.id, message: message(e), code: e instanceof PrognosError ? e.code : 'INTERNAL' }),
    );
  });
}

void main(workerData as ScoreThreadInit);
