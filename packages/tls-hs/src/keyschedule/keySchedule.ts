/**
 * The TLS 1.3 key schedule of RFC 8446 §7.1 as a small state machine:
 *
 * ```
 * PSK or 0 → HKDF-Extract = Early Secret → binder keys, client early traffic, early exporter
 *   Derive-Secret(., "derived", "") → HKDF-Extract with (EC)DHE = Handshake Secret → c/s hs traffic
 *   Derive-Secret(., "derived", "") → HKDF-Extract with 0 = Master Secret → c/s ap traffic, exporter, resumption
 * ```
 * Every method takes the transcript hash it needs; the caller owns the transcript. Secrets are plain bytes.
 */
import type { CryptoProvider, HashAlgorithm } from '../crypto/provider.js';
import { deriveSecret, emptyHash } from './deriveSecret.js';
import { copyBytes } from '../wire/bytes.js';

/** The stages of the schedule, in order. */
export type KeyScheduleStage = 'init' | 'early' | 'handshake' | 'master';

/**
 * Values of the schedule that depend only on the provider and the hash: Hash(""), the all-zero input, and — for
 * handshakes without a PSK — the early secret HKDF-Extract(0, 0) and Derive-Secret(early, "derived", ""). Computed
 * once and shared (read-only) by every schedule.
 */
interface HashConstants {
  readonly zeros: Uint8Array;
  readonly empty: Uint8Array;
  early?: Uint8Array;
  derivedFromEarly?: Uint8Array;
}

const hashConstants = new WeakMap<CryptoProvider, Map<HashAlgorithm, HashConstants>>();

function constantsFor(provider: CryptoProvider, hash: HashAlgorithm): HashConstants {
  let perHash = hashConstants.get(provider);
  if (perHash === undefined) {
    perHash = new Map();
    hashConstants.set(provider, perHash);
  }
  let c = perHash.get(hash);
  if (c === undefined) {
    c = { zeros: new Uint8Array(provider.hashLength(hash)), empty: emptyHash(provider, hash) };
    perHash.set(hash, c);
  }
  return c;
}

/** Thrown for a call out of order (a programming error in the caller, not bad peer input). */
export class KeyScheduleError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KeyScheduleError';
  }
}

/** One connection's key schedule for one hash. */
export class KeySchedule {
  /** Hash of the negotiated suite. */
  readonly hash: HashAlgorithm;
  /** Hash output length in bytes. */
  readonly hashLength: number;
  /** Current stage. */
  stage: KeyScheduleStage = 'init';
  /** Early Secret (after {@link KeySchedule.early}). */
  earlySecret: Uint8Array | undefined;
  /** Handshake Secret (after {@link KeySchedule.handshake}). */
  handshakeSecret: Uint8Array | undefined;
  /** Master Secret (after {@link KeySchedule.master}). */
  masterSecret: Uint8Array | undefined;
  private readonly provider: CryptoProvider;
  private readonly zeros: Uint8Array;
  private readonly empty: Uint8Array;
  private readonly constants: HashConstants;
  private pskFree = false;

  constructor(provider: CryptoProvider, hash: HashAlgorithm) {
    this.provider = provider;
    this.hash = hash;
    this.hashLength = provider.hashLength(hash);
    const c = constantsFor(provider, hash);
    this.zeros = c.zeros;
    this.empty = c.empty;
    this.constants = c;
  }

  /** Early Secret = HKDF-Extract(0, PSK or HashLen zeros). */
  early(psk?: Uint8Array | null): Uint8Array {
    if (this.stage !== 'init') throw new KeyScheduleError('early secret already derived');
    if (psk === undefined || psk === null) {
      this.constants.early ??= this.provider.hkdfExtract(this.hash, this.zeros, this.zeros);
      this.earlySecret = copyBytes(this.constants.early); // a copy: callers may wipe the secrets they get
      this.pskFree = true;
    } else {
      this.earlySecret = this.provider.hkdfExtract(this.hash, this.zeros, psk);
    }
    this.stage = 'early';
    return this.earlySecret;
  }

  /** binder_key: Derive-Secret(Early Secret, "ext binder" | "res binder", ""). */
  binderKey(kind: 'external' | 'resumption'): Uint8Array {
    return this.fromEarly(kind === 'external' ? 'ext binder' : 'res binder', this.empty);
  }

  /** client_early_traffic_secret = Derive-Secret(Early Secret, "c e traffic", ClientHello). */
  clientEarlyTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return this.fromEarly('c e traffic', helloHash);
  }

  /** early_exporter_master_secret = Derive-Secret(Early Secret, "e exp master", ClientHello). */
  earlyExporterMasterSecret(helloHash: Uint8Array): Uint8Array {
    return this.fromEarly('e exp master', helloHash);
  }

  /** Handshake Secret = HKDF-Extract(Derive-Secret(Early, "derived", ""), (EC)DHE or zeros for psk_ke). */
  handshake(sharedSecret?: Uint8Array | null): Uint8Array {
    if (this.stage === 'init') this.early(null);
    if (this.stage !== 'early') throw new KeyScheduleError('handshake secret already derived');
    let salt: Uint8Array;
    if (this.pskFree) {
      this.constants.derivedFromEarly ??= deriveSecret(this.provider, this.hash, this.earlySecret!, 'derived', this.empty);
      salt = this.constants.derivedFromEarly;
    } else {
      salt = deriveSecret(this.provider, this.hash, this.earlySecret!, 'derived', this.empty);
    }
    this.handshakeSecret = this.provider.hkdfExtract(this.hash, salt, sharedSecret ?? this.zeros);
    this.stage = 'handshake';
    return this.handshakeSecret;
  }

  /** client_handshake_traffic_secret = Derive-Secret(HS, "c hs traffic", ClientHello...ServerHello). */
  clientHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return this.fromHandshake('c hs traffic', helloHash);
  }

  /** server_handshake_traffic_secret = Derive-Secret(HS, "s hs traffic", ClientHello...ServerHello). */
  serverHandshakeTrafficSecret(helloHash: Uint8Array): Uint8Array {
    return this.fromHandshake('s hs traffic', helloHash);
  }

  /** Master Secret = HKDF-Extract(Derive-Secret(HS, "derived", ""), zeros). */
  master(): Uint8Array {
    if (this.stage !== 'handshake') throw new KeyScheduleError('master secret needs the handshake secret first');
    const salt = deriveSecret(this.provider, this.hash, this.handshakeSecret!, 'derived', this.empty);
    this.masterSecret = this.provider.hkdfExtract(this.hash, salt, this.zeros);
    this.stage = 'master';
    return this.masterSecret;
  }

  /** client_application_traffic_secret_0 = Derive-Secret(MS, "c ap traffic", ClientHello...server Finished). */
  clientApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return this.fromMaster('c ap traffic', serverFinishedHash);
  }

  /** server_application_traffic_secret_0 = Derive-Secret(MS, "s ap traffic", ClientHello...server Finished). */
  serverApplicationTrafficSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return this.fromMaster('s ap traffic', serverFinishedHash);
  }

  /** exporter_master_secret = Derive-Secret(MS, "exp master", ClientHello...server Finished). */
  exporterMasterSecret(serverFinishedHash: Uint8Array): Uint8Array {
    return this.fromMaster('exp master', serverFinishedHash);
  }

  /** resumption_master_secret = Derive-Secret(MS, "res master", ClientHello...client Finished). */
  resumptionMasterSecret(clientFinishedHash: Uint8Array): Uint8Array {
    return this.fromMaster('res master', clientFinishedHash);
  }

  /**
   * exporter_master_secret or resumption_master_secret as a function to call later: it holds the master secret only
   * (not this schedule and its earlier secrets, which the engine drops when the handshake ends).
   */
  deferredFromMaster(label: 'exp master' | 'res master', th: Uint8Array): () => Uint8Array {
    const { provider, hash } = this;
    const masterSecret = this.requireMaster(label);
    return () => deriveSecret(provider, hash, masterSecret, label, th);
  }

  private fromEarly(label: string, th: Uint8Array): Uint8Array {
    if (this.earlySecret === undefined) throw new KeyScheduleError(`"${label}" needs the early secret`);
    return deriveSecret(this.provider, this.hash, this.earlySecret, label, th);
  }

  private fromHandshake(label: string, th: Uint8Array): Uint8Array {
    if (this.handshakeSecret === undefined) throw new KeyScheduleError(`"${label}" needs the handshake secret`);
    return deriveSecret(this.provider, this.hash, this.handshakeSecret, label, th);
  }

  private fromMaster(label: string, th: Uint8Array): Uint8Array {
    return deriveSecret(this.provider, this.hash, this.requireMaster(label), label, th);
  }

  private requireMaster(label: string): Uint8Array {
    if (this.masterSecret === undefined) throw new KeyScheduleError(`"${label}" needs the master secret`);
    return this.masterSecret;
  }
}
