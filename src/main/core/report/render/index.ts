/**
 * Drawing a report: `renderReportPdf` (the PDF every transport produces), `renderReportHtml` (the
 * same content as one HTML page, the browser-print reference of the bench) and `svgOf` (an ECharts
 * option as SVG, server-side).
 */
export { renderReportPdf } from './pdf';
export { renderReportHtml } from './html';
export { svgOf, SvgCharts } from './svg';
export { reportFonts } from './fonts';
