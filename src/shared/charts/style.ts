/** Colours and text styles shared by the charts (the UI and the PDF report), matching the page's palette. */
export const CHART_FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
export const CHART_TEXT = '#1b1f24';
export const CHART_MUTED = '#5b6470';
export const CHART_GRID = '#e6e9ee';
export const CHART_AXIS = '#9aa3ad';

/** Validation and test, train and validation: two roles that appear together on many charts. */
export const SERIES_COLORS = {
  validation: '#1d5fbf',
  test: '#d9480f',
  train: '#2b8a3e',
  chance: '#9aa3ad',
  selected: '#1d5fbf',
  unselected: '#b7c3d3',
  tuned: '#7048e8',
  current: '#c92a2a',
} as const;

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export const BASE_TEXT_STYLE = { fontFamily: CHART_FONT, color: CHART_TEXT } as const;

export const AXIS_LABEL = { color: CHART_MUTED, fontSize: 11 } as const;
export const AXIS_NAME = { color: CHART_MUTED, fontSize: 12 } as const;

/** Distinguishable on a light background; one colour per unit, the same in every panel. */
export const UNIT_COLORS = [
  '#1f77b4',
  '#d62728',
  '#2ca02c',
  '#9467bd',
  '#ff7f0e',
  '#17becf',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
] as const;
