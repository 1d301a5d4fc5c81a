/**
 * A token bucket for responses sent without connection state (stateless resets, RFC 9000 §10.3.3 and §21.11:
 * an endpoint limits how many it sends so that it cannot be used to amplify or loop). Sans-IO: time comes in.
 */

/** Options of a {@link RateLimiter}. */
export interface RateLimiterOptions {
  /** Sustained rate, events per second (default 20). */
  perSecond?: number;
  /** Burst (bucket size, default 10). */
  burst?: number;
}

/** Token bucket; {@link RateLimiter.tryTake} consumes one token if available. */
export class RateLimiter {
  /** Sustained rate in events per second. */
  readonly perSecond: number;
  /** Bucket size. */
  readonly burst: number;
  private tokens: number;
  private last: number | undefined;

  /** Creates a full bucket; non-positive or non-finite settings are a RangeError. */
  constructor(options: RateLimiterOptions = {}) {
    this.perSecond = options.perSecond ?? 20;
    this.burst = options.burst ?? 10;
    if (!(this.perSecond >= 0) || !(this.burst >= 1) || !Number.isFinite(this.perSecond) || !Number.isFinite(this.burst)) {
      throw new RangeError('rate limiter needs perSecond >= 0 and burst >= 1');
    }
    this.tokens = this.burst;
  }

  /** Refills for the time since the last call and takes a token; false when the bucket is empty. */
  tryTake(now: number): boolean {
    if (this.last !== undefined && now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.perSecond) / 1000);
    }
    if (this.last === undefined || now > this.last) this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
