import { useEffect, useState } from 'react';
import { SensorLabels, type SensorCatalogue } from '../../../shared/sensor-catalogue';
import { useApi } from '../api/context';

const EMPTY = new SensorLabels(null);
const cache = new Map<string, SensorLabels>();
const listeners = new Set<(datasetId: string) => void>();

/** A catalogue just saved: every view showing the dataset reads the new names at once. */
export function rememberCatalogue(datasetId: string, catalogue: SensorCatalogue): void {
  cache.set(datasetId, new SensorLabels(catalogue));
  for (const l of listeners) l(datasetId);
}

/**
 * The display names and units of a dataset's settings and sensors (its sensor catalogue). Until the
 * catalogue arrives, or without a dataset, ids are shown as they are.
 */
export function useSensorLabels(datasetId: string | null | undefined): SensorLabels {
  const api = useApi();
  const [labels, setLabels] = useState<SensorLabels>(() =>
    datasetId == null ? EMPTY : (cache.get(datasetId) ?? EMPTY),
  );
  useEffect(() => {
    if (datasetId == null) {
      setLabels(EMPTY);
      return;
    }
    setLabels(cache.get(datasetId) ?? EMPTY);
    let live = true;
    api.datasetsCatalogue({ datasetId }).then(
      (catalogue) => {
        const l = new SensorLabels(catalogue);
        cache.set(datasetId, l);
        if (live) setLabels(l);
      },
      () => undefined, // a dataset deleted meanwhile: ids stay as they are
    );
    const onSaved = (id: string) => {
      const saved = cache.get(id);
      if (live && id === datasetId && saved !== undefined) setLabels(saved);
    };
    listeners.add(onSaved);
    return () => {
      live = false;
      listeners.delete(onSaved);
    };
  }, [api, datasetId]);
  return labels;
}
