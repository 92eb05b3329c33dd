import { setImmediate as yieldToEventLoop } from 'node:timers/promises';

/**
 * Cooperative sharing of the one event loop. A long piece of work (a page of the policy simulator,
 * the credential report of a large account) calls `checkpoint()` between its steps; once a slice
 * of time has passed since the last turn, it gives the loop back (setImmediate), so requests that
 * arrived meanwhile are served before it goes on. A request pays for its size in its own latency,
 * not in everyone else's.
 */
export const DEFAULT_SLICE_MS = 5;

export class TimeSlice {
  private sliceStart = performance.now();

  constructor(private readonly sliceMs = DEFAULT_SLICE_MS) {}

  async checkpoint(): Promise<void> {
    if (performance.now() - this.sliceStart < this.sliceMs) return;
    await yieldToEventLoop();
    this.sliceStart = performance.now();
  }
}
