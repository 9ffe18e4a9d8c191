import { useRef, useState, type DragEvent } from 'react';

export function hasFiles(e: DragEvent): boolean {
  return e.dataTransfer.types.includes('Files');
}

/**
 * Files dropped anywhere on a view: `dragging` while files hover over it (nested elements counted),
 * and `onFiles` for a drop unless the view is busy.
 */
export function useFileDrop(busy: boolean, onFiles: (e: DragEvent<HTMLDivElement>) => void) {
  const [dragging, setDragging] = useState(false);
  const depth = useRef(0);
  const handlers = {
    onDragEnter: (e: DragEvent<HTMLDivElement>) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current += 1;
      setDragging(true);
    },
    onDragOver: (e: DragEvent<HTMLDivElement>) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      e.dataTransfer.dropEffect = busy ? 'none' : 'copy';
    },
    onDragLeave: (e: DragEvent<HTMLDivElement>) => {
      if (!hasFiles(e)) return;
      depth.current = Math.max(0, depth.current - 1);
      if (depth.current === 0) setDragging(false);
    },
    onDrop: (e: DragEvent<HTMLDivElement>) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth.current = 0;
      setDragging(false);
      if (!busy) onFiles(e);
    },
  };
  return { dragging, handlers };
}
