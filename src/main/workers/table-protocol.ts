/** Request of the table worker (a short call): read one stored dataset's table. */
export interface TableRequest {
  /** the store's database file */
  readonly dbPath: string;
  readonly datasetId: string;
}
