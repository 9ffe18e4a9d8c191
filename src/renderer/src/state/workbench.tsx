import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  useSyncExternalStore,
  type ReactNode,
} from 'react';
import type { JobResult } from '../../../shared/contract';
import type { StoredRanking } from '../../../shared/live-jobs';
import type { FeatureRanking } from '../../../shared/schemas';
import { useApi, useJobTracker } from '../api/context';
import { orderLikeSchema, type JsonSchema, type SchemaIssue } from '../lib/json-schema';
import { isJsonObject, toJsonObject, type JsonObject } from '../lib/json-value';
import {
  featureDocSchema,
  rankingBasis,
  selectionCut,
  validateTrainConfig,
  type FeaturePicks,
  type RankedSelection,
} from '../lib/train-config';
import { useAsync, type AsyncState } from '../lib/use-async';
import { IterationLog, type JobLosses } from './iteration-log';
import { useTrackedJob, type TrackedJob } from './use-tracked-job';
import { useWorkingContext } from './working-context';

export interface ConfigSchemas {
  readonly trainConfig: JsonSchema;
  /** the part of the training config edited in the Features view */
  readonly featureDoc: JsonSchema;
  readonly defaults: JsonObject;
}

export interface RankingRecord {
  readonly datasetId: string;
  /** the ranking-relevant settings it was computed with */
  readonly basis: JsonObject;
  readonly ranking: FeatureRanking;
  /** feature names, best first */
  readonly order: readonly string[];
  /** what main selected for the config's topK and manual picks at ranking time */
  readonly ranked: RankedSelection;
  /** when it was computed (ISO); a ranking stored earlier is shown again after a reload */
  readonly computedAt: string;
}

function recordOf(datasetId: string, config: JsonObject, ranking: FeatureRanking, computedAt: string): RankingRecord {
  const order = [...ranking.features].sort((a, b) => a.rank - b.rank).map((f) => f.name);
  return {
    datasetId,
    basis: rankingBasis(config),
    ranking,
    order,
    ranked: { cut: selectionCut(config), selected: ranking.selected },
    computedAt,
  };
}

function storedRecord(stored: StoredRanking): RankingRecord {
  return recordOf(stored.datasetId, toJsonObject(stored.config) ?? {}, stored.ranking, stored.computedAt);
}

export interface RankJobInfo {
  readonly datasetId: string;
}

export interface TrainJobInfo {
  readonly jobId: string;
  readonly runId: string;
  readonly datasetId: string;
}

export interface Workbench {
  readonly schemas: AsyncState<ConfigSchemas>;
  readonly reloadSchemas: () => void;
  readonly datasetId: string | null;
  readonly setDatasetId: (datasetId: string | null) => void;
  /** the training config shared by the Features and Train views (null until the defaults arrive) */
  readonly config: JsonObject | null;
  readonly setConfig: (update: (config: JsonObject) => JsonObject) => void;
  readonly resetConfig: () => void;
  /** what is wrong with the config (schema and main's extra rules) */
  readonly issues: readonly SchemaIssue[];
  readonly picks: FeaturePicks | null;
  readonly setPicks: (picks: FeaturePicks | null) => void;
  readonly rankingFor: (datasetId: string | null) => RankingRecord | null;
  readonly rankJob: TrackedJob<FeatureRanking, RankJobInfo>;
  readonly startRank: () => void;
  readonly trainJob: TrackedJob<TrainJobInfo, TrainJobInfo>;
  /** starts a run in the experiment with this id (default: the "Default" experiment) */
  readonly startTrain: (experiment?: string) => void;
  readonly iterations: IterationLog;
  /** changes whenever a run starts or ends, so run lists reload */
  readonly runsVersion: number;
  readonly bumpRuns: () => void;
}

const STORAGE_KEY = 'prognos.workbench';

interface Saved {
  datasetId: string | null;
  config: JsonObject | null;
}

function loadSaved(): Saved {
  try {
    const raw = window.sessionStorage.getItem(STORAGE_KEY);
    if (raw === null) return { datasetId: null, config: null };
    const v = JSON.parse(raw) as unknown;
    if (!isJsonObject(v)) return { datasetId: null, config: null };
    return {
      datasetId: typeof v.datasetId === 'string' ? v.datasetId : null,
      config: toJsonObject(v.config),
    };
  } catch {
    return { datasetId: null, config: null };
  }
}

function isRanking(r: JobResult | undefined): r is FeatureRanking {
  return r !== undefined && 'features' in r && 'droppedSensors' in r;
}

function isTrainResult(r: JobResult | undefined): r is { jobId: string; runId: string } {
  return r !== undefined && 'runId' in r && !('features' in r);
}

const WorkbenchContext = createContext<Workbench | null>(null);

/**
 * State shared by the Features, Train and Results views: the chosen dataset, the training config
 * (one object, edited as a form and as JSON), the latest ranking per dataset, the feature picks,
 * and the rank and train jobs, which keep running while the analyst moves between views.
 */
export function WorkbenchProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const loadSchemas = useCallback(async (): Promise<ConfigSchemas> => {
    const answer = await api.configSchemas({});
    const defaults = toJsonObject(answer.defaults.trainConfig) ?? {};
    return { trainConfig: answer.trainConfig, featureDoc: featureDocSchema(answer.trainConfig), defaults };
  }, [api]);
  const [schemas, reloadSchemas] = useAsync(loadSchemas);

  const [saved] = useState(loadSaved);
  // the dataset is the working context's (one choice for every view, kept across reloads)
  const workingContext = useWorkingContext();
  const datasetId = workingContext.current.dataset;
  const { choose } = workingContext;
  const setDatasetId = useCallback((id: string | null) => choose('dataset', id), [choose]);
  const [ownConfig, setOwnConfig] = useState<JsonObject | null>(saved.config);
  const defaults = schemas.status === 'ok' ? schemas.value.defaults : null;
  const config = ownConfig ?? defaults;

  const trainSchema = schemas.status === 'ok' ? schemas.value.trainConfig : null;
  const setConfig = useCallback(
    (update: (c: JsonObject) => JsonObject) => {
      setOwnConfig((prev) => {
        const base = prev ?? defaults;
        if (base === null) return prev;
        const next = update(base);
        return trainSchema === null ? next : orderLikeSchema(trainSchema, next);
      });
    },
    [defaults, trainSchema],
  );
  const [picks, setPicks] = useState<FeaturePicks | null>(null);
  const resetConfig = useCallback(() => {
    setOwnConfig(null);
    setPicks(null);
  }, []);

  useEffect(() => {
    try {
      window.sessionStorage.setItem(STORAGE_KEY, JSON.stringify({ datasetId, config: ownConfig }));
    } catch {
      // storage may be unavailable; the state still lives for this page
    }
  }, [datasetId, ownConfig]);

  const issues = useMemo(
    () => (schemas.status === 'ok' && config !== null ? validateTrainConfig(schemas.value.trainConfig, config) : []),
    [schemas, config],
  );

  const [rankings, setRankings] = useState<ReadonlyMap<string, RankingRecord>>(new Map());
  const rankingFor = useCallback((id: string | null) => (id === null ? null : (rankings.get(id) ?? null)), [rankings]);

  const pickRanking = useCallback((r: JobResult | undefined) => (isRanking(r) ? r : null), []);
  const rankJob = useTrackedJob<FeatureRanking, RankJobInfo>(pickRanking);
  const startRank = useCallback(() => {
    if (datasetId === null || config === null) return;
    const sent = config;
    void rankJob.start(
      'Ranking features',
      async () => ({ ...(await api.featuresRank({ datasetId, config: sent })), datasetId }),
      (ranking, info) => {
        setRankings((prev) =>
          new Map(prev).set(info.datasetId, recordOf(info.datasetId, sent, ranking, new Date().toISOString())),
        );
      },
    );
  }, [api, config, datasetId, rankJob]);

  // the dataset's stored ranking, once per dataset and page: shown again after a reload or in a new window
  const asked = useRef(new Set<string>());
  useEffect(() => {
    if (datasetId === null || asked.current.has(datasetId)) return;
    asked.current.add(datasetId);
    api.featuresStored({ datasetId }).then(
      (stored) => {
        if (stored === null) return;
        setRankings((prev) => (prev.has(stored.datasetId) ? prev : new Map(prev).set(stored.datasetId, storedRecord(stored))));
      },
      () => asked.current.delete(datasetId),
    );
  }, [api, datasetId]);

  const [runsVersion, setRunsVersion] = useState(0);
  const bumpRuns = useCallback(() => setRunsVersion((v) => v + 1), []);
  const pickTrain = useCallback(
    (r: JobResult | undefined, info: TrainJobInfo) =>
      isTrainResult(r) ? { jobId: r.jobId, runId: r.runId, datasetId: info.datasetId } : null,
    [],
  );
  const trainJob = useTrackedJob<TrainJobInfo, TrainJobInfo>(pickTrain);
  const startTrain = useCallback(
    (experiment?: string) => {
    if (datasetId === null || config === null) return;
    const sent = config;
    void trainJob
      .start('Training', async () => {
        const started = await api.trainStart({ datasetId, config: sent, ...(experiment === undefined ? {} : { experiment }) });
        bumpRuns();
        return { ...started, datasetId };
      })
      .finally(bumpRuns);
    },
    [api, bumpRuns, config, datasetId, trainJob],
  );

  const [iterations] = useState(() => new IterationLog());
  useEffect(() => iterations.attach(api), [iterations, api]);

  // jobs running before this page came (a reload, another window), or started in another window since:
  // followed like our own, with their progress and loss curves so far
  const tracker = useJobTracker();
  const following = useRef(new Set<string>());
  const { attach: attachTrain, busy: trainBusy } = trainJob;
  const { attach: attachRank, busy: rankBusy } = rankJob;
  const busyRef = useRef({ train: trainBusy, rank: rankBusy });
  busyRef.current = { train: trainBusy, rank: rankBusy };
  const rejoin = useCallback(() => {
    api.jobsList({}).then(
      (active) => {
        for (const job of active) {
          if (following.current.has(job.jobId)) continue;
          if (job.kind === 'train' && job.subject.runId !== undefined && job.subject.datasetId !== undefined && !busyRef.current.train) {
            following.current.add(job.jobId);
            busyRef.current.train = true;
            tracker.seed(job);
            iterations.seed(job.jobId, job.curves);
            const info = { jobId: job.jobId, runId: job.subject.runId, datasetId: job.subject.datasetId };
            void attachTrain('Training', info).finally(bumpRuns);
          } else if (job.kind === 'rank' && job.subject.datasetId !== undefined && !busyRef.current.rank) {
            following.current.add(job.jobId);
            busyRef.current.rank = true;
            tracker.seed(job);
            void attachRank('Ranking features', { jobId: job.jobId, datasetId: job.subject.datasetId }, (_, info) => {
              api.featuresStored({ datasetId: info.datasetId }).then(
                (stored) => {
                  if (stored !== null) setRankings((prev) => new Map(prev).set(stored.datasetId, storedRecord(stored)));
                },
                () => undefined,
              );
            });
          }
        }
      },
      () => undefined,
    );
  }, [api, attachRank, attachTrain, bumpRuns, iterations, tracker]);
  useEffect(() => rejoin(), [rejoin]);
  useEffect(
    () =>
      api.on('job:progress', (p) => {
        // a job this page has not heard of: started in another window
        if ((p.kind === 'train' || p.kind === 'rank') && !busyRef.current[p.kind] && !following.current.has(p.jobId)) rejoin();
      }),
    [api, rejoin],
  );

  const value = useMemo<Workbench>(
    () => ({
      schemas,
      reloadSchemas,
      datasetId,
      setDatasetId,
      config,
      setConfig,
      resetConfig,
      issues,
      picks,
      setPicks,
      rankingFor,
      rankJob,
      startRank,
      trainJob,
      startTrain,
      iterations,
      runsVersion,
      bumpRuns,
    }),
    [
      schemas,
      reloadSchemas,
      datasetId,
      setDatasetId,
      config,
      setConfig,
      resetConfig,
      issues,
      picks,
      rankingFor,
      rankJob,
      startRank,
      trainJob,
      startTrain,
      iterations,
      runsVersion,
      bumpRuns,
    ],
  );
  return <WorkbenchContext.Provider value={value}>{children}</WorkbenchContext.Provider>;
}

export function useWorkbench(): Workbench {
  const value = useContext(WorkbenchContext);
  if (value === null) throw new Error('WorkbenchProvider is missing above this component.');
  return value;
}

/** The live losses of one training job. */
export function useJobLosses(jobId: string | null): JobLosses {
  const { iterations } = useWorkbench();
  return useSyncExternalStore(iterations.subscribe, () => iterations.get(jobId));
}
