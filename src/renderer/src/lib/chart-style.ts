/** The chart palette lives in src/shared/charts so the UI and the PDF report draw with the same colours. */
export * from '../../../shared/charts/style';
