import '../../lib/echarts-more';
/** The reliability diagram's option builder lives in src/shared/charts so the PDF report draws the same axes. */
export * from '../../../../shared/charts/reliability';
