import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * Cooperative sharing of the one event loop. A long piece of work (a page of the policy simulator,
 * the credential report of a large account) calls `checkpoint()` between its steps; once a slice
 * of time has passed since the last turn, it gives the loop back (setImmediate), so requests that
 * arrived meanwhile are served before it goes on. A request pays for its size in its own latency,
 * not in everyone else's.
 */
export const DEFAULT_SLICE_MS = 5;

let defaultSliceMs = DEFAULT_SLICE_MS;

/**
 * Sets the slice every later TimeSlice gets (0: give the loop back at every checkpoint) and returns
 * a function that restores the previous one. For tests of the property itself (bounded-work.test):
 * whether a cheap request overtakes a large one must not depend on how fast the machine runs the
 * large one's slices, only on whether it gives the loop back between its steps.
 */
export function setDefaultSliceMs(ms: number): () => void {
  const previous = defaultSliceMs;
  defaultSliceMs = ms;
  return () => {
    defaultSliceMs = previous;
  };
}

// `performance` is imported, not the global: the global loads node:perf_hooks on first use, which
// took 30 ms inside the first request that read a large body.
export class TimeSlice {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = defaultSliceMs) {}

  async checkpoint(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await yieldToEventLoop();
    this.sliceStart = performance.now();
  }
}
