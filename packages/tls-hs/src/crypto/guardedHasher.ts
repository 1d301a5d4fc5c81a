import { CryptoError } from './errors.js';
import { assertBytes } from './params.js';
import type { Hasher } from './provider.js';

/** The part of a hash object both providers' hash states have (node's Hash, noble's hash instance). */
export interface HashState {
  /** Absorbs data. */
  update(data: Uint8Array): unknown;
  /** Finalises and returns the digest. */
  digest(): Uint8Array;
}

/**
 * A {@link Hasher} over a provider's hash state that refuses use after `digest()` with CryptoError('BAD_INPUT')
 * (node throws its own error there and noble silently returns garbage, so both get the same guard).
 */
export class GuardedHasher<S extends HashState> implements Hasher {
  private done = false;
  /** Wraps `state`; `copyState` duplicates it (node: `h.copy()`, noble: `h.clone()`). */
  constructor(
    private readonly state: S,
    private readonly copyState: (state: S) => S,
  ) {}
  update(data: Uint8Array): Hasher {
    assertBytes(data, 'data');
    this.live();
    this.state.update(data);
    return this;
  }
  digest(): Uint8Array {
    this.live();
    this.done = true;
    return this.state.digest();
  }
  clone(): Hasher {
    this.live();
    return new GuardedHasher(this.copyState(this.state), this.copyState);
  }
  private live(): void {
    if (this.done) throw new CryptoError('BAD_INPUT', 'hasher already finalised');
  }
}
