/**
 * Path validation (RFC 9000 §8.2): PATH_CHALLENGE frames from the peer are answered with PATH_RESPONSE echoing their
 * data on the same path; when the peer's address changes (NAT rebinding or migration, §9) we challenge the new
 * path and consider it validated when a PATH_RESPONSE with our data comes back.
 */
import type { RemoteAddress } from '../endpoint/transmit.js';

/** Most PATH_RESPONSE frames kept waiting (further challenges overwrite the oldest; RFC 9000 §8.2.2 allows it). */
const MAX_PENDING_RESPONSES = 4;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Challenges and responses of one connection. */
export class PathValidation {
  private readonly responses: Uint8Array[] = [];
  private challenge: Uint8Array | undefined;
  private challengePending = false;
  private challengedPath: RemoteAddress | undefined;
  private deadline: number | undefined;

  /** A PATH_CHALLENGE arrived: its data must be echoed. */
  onChallenge(data: Uint8Array): void {
    if (this.responses.length >= MAX_PENDING_RESPONSES) this.responses.shift();
    this.responses.push(new Uint8Array(data)); // a copy, also of a node Buffer (whose slice() is a view)
  }

  /** Next PATH_RESPONSE data to send, or undefined. */
  pollResponse(): Uint8Array | undefined {
    return this.responses.shift();
  }

  /** Starts validating `path` with fresh challenge `data` (8 random bytes); gives up at `deadline`. */
  startChallenge(path: RemoteAddress, data: Uint8Array, deadline: number): void {
    this.challenge = data;
    this.challengePending = true;
    this.challengedPath = { address: path.address, port: path.port };
    this.deadline = deadline;
  }

  /** True while a challenge is outstanding. */
  get validating(): boolean {
    return this.challenge !== undefined;
  }

  /** When an outstanding challenge gives up. */
  get timeout(): number | undefined {
    return this.challenge === undefined ? undefined : this.deadline;
  }

  /** The PATH_CHALLENGE data to send now, once (again after a loss), or undefined. */
  pollChallenge(): Uint8Array | undefined {
    if (!this.challengePending || this.challenge === undefined) return undefined;
    this.challengePending = false;
    return this.challenge;
  }

  /** Our PATH_CHALLENGE was lost: send it again while still validating. */
  onChallengeLost(data: Uint8Array): void {
    if (this.challenge !== undefined && equalBytes(this.challenge, data)) this.challengePending = true;
  }

  /** True when PATH_CHALLENGE or PATH_RESPONSE frames wait. */
  get hasPending(): boolean {
    return this.responses.length > 0 || this.challengePending;
  }

  /** A PATH_RESPONSE arrived; returns the validated path when it answers our challenge. */
  onResponse(data: Uint8Array): RemoteAddress | undefined {
    if (this.challenge === undefined || !equalBytes(this.challenge, data)) return undefined;
    const path = this.challengedPath;
    this.challenge = undefined;
    this.challengePending = false;
    this.challengedPath = undefined;
    this.deadline = undefined;
    return path;
  }

  /** The validation timed out: returns true when it did (the caller abandons the path). */
  onTimeout(now: number): boolean {
    if (this.challenge === undefined || this.deadline === undefined || now < this.deadline) return false;
    this.challenge = undefined;
    this.challengePending = false;
    this.challengedPath = undefined;
    this.deadline = undefined;
    return true;
  }
}
