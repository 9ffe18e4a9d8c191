import type { ComponentType } from 'react';
import { DatasetsView } from './datasets/DatasetsView';

/** One entry per working view; the navigation and the router are built from this list. */
export interface ViewDefinition {
  /** used in the address (`#/datasets`) and in test ids */
  readonly id: string;
  readonly label: string;
  /** one line shown as the navigation item's tooltip */
  readonly description: string;
  readonly component: ComponentType;
}

export const VIEWS: readonly ViewDefinition[] = [
  {
    id: 'datasets',
    label: 'Datasets',
    description: 'Import run-to-failure histories, inspect units, columns and sensor trends',
    component: DatasetsView,
  },
];

export const DEFAULT_VIEW_ID = 'datasets';
