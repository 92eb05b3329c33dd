import type { Clock } from '../ports/runtime.js';

/**
 * The system clock plus an offset that test suites may move (memory mode only), so password
 * expiry can be tested without waiting. Only the domain's clock moves: SigV4 keeps checking
 * signatures against real time, so clients need no change.
 */
export class OffsetClock implements Clock {
  private offsetMs = 0;

  now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }

  setOffsetSeconds(seconds: number): void {
    this.offsetMs = seconds * 1000;
  }
}
