/**
 * Answers written together, once per turn of the event loop, rather than each the moment it is
 * ready. Redis writes its replies the same way: queued as they are made, written just before it
 * waits for the network again (`beforeSleep` → `handleClientsWithPendingWrites`).
 *
 * Why: under load one turn of the loop reads many requests (libuv's poll phase) and iamd answers
 * each before reading the next. Written at once, each answer is a write to the client's socket that
 * wakes the client again, for one answer; on loopback, and above all on a virtual machine, that
 * wake-up is a good part of the write's cost. Written together at the end of the poll phase
 * (setImmediate), a client reading several connections wakes once for all of them. Measured with
 * wrk on 32 connections to a signed GetUser (bench/wrk-cpu-per-request.sh): 71-72 instead of 87 µs
 * of server CPU per request, about a quarter more requests a second. An answer waits at most for
 * the rest of its turn (the requests read with it), and when the server is idle not at all.
 */
export class CoalescedWrites {
  private pending: (() => void)[] = [];

  /** `onError` hears a write that threw; the others of its turn are written all the same. */
  constructor(private readonly onError: (error: unknown) => void) {}

  /** Runs `write` at the end of this turn of the event loop, after the writes added before it. */
  add(write: () => void): void {
    if (this.pending.push(write) === 1) setImmediate(this.flush);
  }

  private readonly flush = (): void => {
    const writes = this.pending;
    this.pending = [];
    for (const write of writes) {
      try {
        write();
      } catch (e) {
        this.onError(e);
      }
    }
  };
}
