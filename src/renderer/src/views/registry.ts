import { lazy, type ComponentType } from 'react';
import type { ContextSlot } from '../lib/context-choices';
import { DatasetsView } from './datasets/DatasetsView';

// the first view is in the main bundle; the others load when first opened
const FeaturesView = lazy(() => import('./features/FeaturesView').then((m) => ({ default: m.FeaturesView })));
const TrainView = lazy(() => import('./train/TrainView').then((m) => ({ default: m.TrainView })));
const ResultsView = lazy(() => import('./results/ResultsView').then((m) => ({ default: m.ResultsView })));
const EnsembleView = lazy(() => import('./ensemble/EnsembleView').then((m) => ({ default: m.EnsembleView })));
const ExportView = lazy(() => import('./export/ExportView').then((m) => ({ default: m.ExportView })));
const FleetView = lazy(() => import('./fleet/FleetView').then((m) => ({ default: m.FleetView })));
const DriftView = lazy(() => import('./drift/DriftView').then((m) => ({ default: m.DriftView })));
const ReportsView = lazy(() => import('./reports/ReportsView').then((m) => ({ default: m.ReportsView })));
const RegistryView = lazy(() => import('./registry-view/RegistryView').then((m) => ({ default: m.RegistryView })));
const CompareView = lazy(() => import('./compare/CompareView').then((m) => ({ default: m.CompareView })));
const SweepView = lazy(() => import('./sweep/SweepView').then((m) => ({ default: m.SweepView })));
const PipelinesView = lazy(() => import('./pipelines/PipelinesView').then((m) => ({ default: m.PipelinesView })));

/** One entry per working view; the navigation and the router are built from this list. */
export interface ViewDefinition {
  /** used in the address (`#/datasets`) and in test ids */
  readonly id: string;
  readonly label: string;
  /** one line shown as the navigation item's tooltip */
  readonly description: string;
  readonly component: ComponentType;
  /** the parts of the working context this view works on (highlighted in the context bar) */
  readonly uses: readonly ContextSlot[];
}

export const VIEWS: readonly ViewDefinition[] = [
  {
    id: 'datasets',
    label: 'Datasets',
    description: 'Import run-to-failure histories, inspect units, columns and sensor trends',
    component: DatasetsView,
    uses: ['dataset'],
  },
  {
    id: 'features',
    label: 'Features',
    description: 'Edit the feature spec, rank engineered features and pick the ones to train on',
    component: FeaturesView,
    uses: ['dataset'],
  },
  {
    id: 'train',
    label: 'Train',
    description: 'Set the training config, train a failure-risk model and follow its loss',
    component: TrainView,
    uses: ['dataset'],
  },
  {
    id: 'sweep',
    label: 'Sweep',
    description: 'Search hyperparameters: a space in the training config’s schema, trials run in parallel with pruning, the best config promoted to Train',
    component: SweepView,
    uses: ['dataset'],
  },
  {
    id: 'results',
    label: 'Results',
    description: 'Metrics, curves, threshold and feature importance of one run',
    component: ResultsView,
    uses: ['run'],
  },
  {
    id: 'compare',
    label: 'Compare',
    description: '2–8 runs side by side: metrics with the best marked, the config diff, curves and feature selections',
    component: CompareView,
    uses: [],
  },
  {
    id: 'ensemble',
    label: 'Ensemble',
    description: 'Blend a run’s GBDT and LSTM: tune the weight and threshold for F2 and save them to the run',
    component: EnsembleView,
    uses: ['run'],
  },
  {
    id: 'export',
    label: 'Export',
    description: 'Write a finished run as a bundle, verify bundles and import them',
    component: ExportView,
    uses: ['run', 'bundle'],
  },
  {
    id: 'fleet',
    label: 'Fleet',
    description: 'Score every unit of a fleet with a bundle or a run and rank them by failure risk',
    component: FleetView,
    uses: ['fleet', 'run', 'bundle'],
  },
  {
    id: 'drift',
    label: 'Drift',
    description: 'Compare a fleet with a run’s training data: feature, prediction and multivariate drift, and performance without labels',
    component: DriftView,
    uses: ['fleet', 'run', 'bundle'],
  },
  {
    id: 'reports',
    label: 'Reports',
    description: 'PDF maintenance reports of a fleet: which units to pull, when and why; preview, save and the reports generated before',
    component: ReportsView,
    uses: ['fleet', 'run', 'bundle'],
  },
  {
    id: 'registry',
    label: 'Registry',
    description: 'Registered models and their versions: promote with checks, the history of stages, and each version’s lineage',
    component: RegistryView,
    uses: [],
  },
  {
    id: 'pipelines',
    label: 'Pipelines',
    description: 'Saved recipes that import, train, evaluate, export, check drift, report and register in one run, reusing the steps whose inputs did not change',
    component: PipelinesView,
    uses: [],
  },
];

export const DEFAULT_VIEW_ID = 'datasets';
