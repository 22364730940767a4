/**
 * A counting semaphore with FIFO waiters and abortable waits. The worker holds one per device so model
 * nodes of all its runs take turns on the accelerator.
 */

/** Releases a permit; calling it more than once is harmless. */
export type Release = () => void;

export class Semaphore {
  private inUse = 0;
  // Few waiters at a time (one per model node ready at once), so an array with shift/splice is fine.
  private readonly waiters: ((r: Release) => void)[] = [];

  constructor(readonly capacity = 1) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError("capacity must be a positive integer");
  }

  get available(): number {
    return this.capacity - this.inUse;
  }

  get waiting(): number {
    return this.waiters.length;
  }

  private release(): Release {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      // Hand the permit straight to the next waiter, so a newcomer cannot overtake the queue.
      const next = this.waiters.shift();
      if (next) next(this.release());
      else this.inUse--;
    };
  }

  /** A permit now, or undefined if none is free. */
  tryAcquire(): Release | undefined {
    if (this.inUse >= this.capacity || this.waiters.length > 0) return undefined;
    this.inUse++;
    return this.release();
  }

  /** Waits for a permit; rejects with the signal's reason if `signal` aborts first. */
  acquire(signal?: AbortSignal): Promise<Release> {
    const now = this.tryAcquire();
    if (now) return Promise.resolve(now);
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise<Release>((resolve, reject) => {
      const grant = (r: Release) => {
        signal?.removeEventListener("abort", onAbort);
        resolve(r);
      };
      const onAbort = () => {
        const i = this.waiters.indexOf(grant);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(signal!.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.waiters.push(grant);
    });
  }
}
