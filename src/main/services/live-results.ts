/**
 * What a client that comes back (a reload, a second window) is given: the running jobs with their
 * history so far, and the stored rankings and fleet scores (migration 015), each saved when its job
 * ends so the latest is shown again.
 */
import type { ChannelOutput } from '../../shared/contract';
import { PrognosError } from '../../shared/errors';
import type { FeatureRanking, FleetScoresValue, Scorer } from '../../shared/schemas';
import { parseTrainConfig } from '../core/pipeline/config';
import type { ExperimentStore } from '../core/store/store';
import type { Handlers } from './app-services';
import type { JobManager } from './jobs';

export class LiveResultsService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly jobs: JobManager,
  ) {}

  /** Stores a finished ranking under its dataset and spec (ranking again with the same spec replaces it). */
  rankingDone(datasetId: string, configInput: unknown, ranking: FeatureRanking): FeatureRanking {
    // a dataset deleted while it was ranked has nothing to keep the ranking under
    if (this.store.getDataset(datasetId) === undefined) return ranking;
    this.store.storedResults().saveRanking(datasetId, parseTrainConfig(configInput), ranking, configInput ?? {});
    return ranking;
  }

  /** Stores a fleet's scores under the fleet and scorer (scoring again replaces them). */
  scoresDone(datasetId: string, scorer: Scorer, scores: FleetScoresValue): FleetScoresValue {
    if (this.store.getDataset(datasetId) === undefined) return scores;
    if (scorer.kind === 'run' && this.store.getRun(scorer.runId) === undefined) return scores;
    this.store.storedResults().saveScores(datasetId, scorer, scores);
    return scores;
  }

  handlers(): Pick<Handlers, 'jobs:list' | 'features:stored' | 'fleet:stored'> {
    return {
      'jobs:list': ({ kind }) => Promise.resolve(this.jobs.list(kind)),
      'features:stored': ({ datasetId }): Promise<ChannelOutput<'features:stored'>> => {
        if (this.store.getDataset(datasetId) === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
        return Promise.resolve(this.store.storedResults().latestRanking(datasetId) ?? null);
      },
      'fleet:stored': ({ datasetId, scorer }): Promise<ChannelOutput<'fleet:stored'>> => {
        if (this.store.getDataset(datasetId) === undefined) throw new PrognosError('NOT_FOUND', `No dataset ${datasetId}.`);
        return Promise.resolve(this.store.storedResults().latestScores(datasetId, scorer) ?? null);
      },
    };
  }
}
