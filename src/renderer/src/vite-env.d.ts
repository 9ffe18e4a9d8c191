/** Vite's `?worker` imports: the default export constructs the bundled worker. */
declare module '*?worker' {
  const WorkerConstructor: new (options?: { name?: string }) => Worker;
  export default WorkerConstructor;
}

/** Vite's `?url` imports: the default export is the emitted asset's address (same origin). */
declare module '*?url' {
  const url: string;
  export default url;
}
