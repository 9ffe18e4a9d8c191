import '../../lib/echarts-more';
/** The risk chart's option builder lives in src/shared/charts so the PDF report draws the same chart. */
export * from '../../../../shared/charts/risk';
