/** onInterrupt: one stop per interrupt, though a relaunched command gets each Ctrl-C twice. */
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SAME_INTERRUPT_MS, onInterrupt } from '../../../src/main/cli/interrupt';

describe('onInterrupt', () => {
  const kill = vi.spyOn(process, 'kill');
  beforeEach(() => {
    vi.useFakeTimers();
    kill.mockReset().mockImplementation(() => true);
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  afterAll(() => {
    kill.mockRestore();
  });

  it('stops once for two signals close together, and ends the process on a later one', () => {
    const before = process.listenerCount('SIGINT');
    const first = vi.fn();
    const release = onInterrupt(['SIGINT', 'SIGTERM'], first);
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT', 'SIGINT');
    vi.advanceTimersByTime(1);
    process.emit('SIGINT', 'SIGINT'); // the forwarded copy
    expect(first).toHaveBeenCalledTimes(1);
    expect(kill).not.toHaveBeenCalled();
    vi.advanceTimersByTime(SAME_INTERRUPT_MS + 1);
    process.emit('SIGTERM', 'SIGTERM'); // asked again, later: no more waiting
    expect(first).toHaveBeenCalledTimes(1);
    expect(kill).toHaveBeenCalledWith(process.pid, 'SIGTERM');
    expect(process.listenerCount('SIGINT')).toBe(before);
    release();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('released right after an interrupt, still takes its copy, then lets go', () => {
    const before = process.listenerCount('SIGINT');
    const first = vi.fn();
    const release = onInterrupt(['SIGINT'], first);
    process.emit('SIGINT', 'SIGINT');
    release(); // the job ended at once
    expect(process.listenerCount('SIGINT')).toBe(before + 1);
    process.emit('SIGINT', 'SIGINT'); // the copy: nothing happens
    expect(first).toHaveBeenCalledTimes(1);
    expect(kill).not.toHaveBeenCalled();
    vi.advanceTimersByTime(SAME_INTERRUPT_MS);
    expect(process.listenerCount('SIGINT')).toBe(before);
  });

  it('released without an interrupt, it leaves nothing behind', () => {
    const before = process.listenerCount('SIGINT');
    const release = onInterrupt(['SIGINT'], vi.fn());
    release();
    expect(process.listenerCount('SIGINT')).toBe(before);
  });
});
