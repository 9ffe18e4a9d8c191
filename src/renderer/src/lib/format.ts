/** Number and date formatting lives in src/shared so the UI and the PDF report's charts format alike. */
export * from '../../../shared/format';
