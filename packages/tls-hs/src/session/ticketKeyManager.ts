/**
 * Session-ticket keys and the ticket-key callback (seed 004, after OpenSSL's tlsext_ticket_key_cb): a server seals
 * its stateless tickets under a key named by 16 bytes; when a ticket comes back, the callback is asked about its key
 * name and answers **use** (resume), **renew** (resume, and re-issue a ticket under the current key) or **reject**
 * (ignore the ticket: full handshake). {@link TicketKeyManager} is the built-in answer: a current key and the previous
 * one, rotated every `rotationInterval` by the injected clock (the `now` each call gets), exportable so the servers
 * of a fleet can resume each other's tickets.
 */
import { TlsAlert } from '../alerts.js';
import { defaultProvider } from '../crypto/default.js';
import { TlsReader } from '../wire/reader.js';
import { TlsWriter } from '../wire/writer.js';

/** Length of a ticket key name (the first bytes of every ticket). */
export const TICKET_KEY_NAME_LENGTH = 16;
/** Length of a ticket key's secret (an AES-256-GCM key). */
export const TICKET_KEY_SECRET_LENGTH = 32;

/** One ticket-sealing key. */
export interface TicketKey {
  /** 16-byte name, sent in the clear at the start of each ticket. */
  readonly name: Uint8Array;
  /** 32-byte AEAD key. */
  readonly secret: Uint8Array;
  /** When the key was made (ms since the epoch, by the clock of whoever made it). */
  readonly createdAt: number;
}

/** What a ticket-key callback answers. */
export type TicketKeyDecision =
  | {
      /** 'use': seal with / resume under `key`; 'renew': resume under `key` and issue a replacement ticket. */
      readonly action: 'use' | 'renew';
      /** The key (its name must equal the ticket's when decrypting). */
      readonly key: TicketKey;
    }
  | {
      /** Encrypt: issue no ticket. Decrypt: ignore the ticket (full handshake). */
      readonly action: 'reject';
    };

/**
 * The ticket-key callback: `mode` 'encrypt' (keyName undefined) asks for the key to seal a new ticket with;
 * 'decrypt' asks about the key named `keyName` of a received ticket. `now` is the engine's clock (ms).
 * Returning undefined is the same as `{ action: 'reject' }`.
 */
export type TicketKeyCallback = (
  keyName: Uint8Array | undefined,
  mode: 'encrypt' | 'decrypt',
  now: number,
) => TicketKeyDecision | undefined;

/** Options of a {@link TicketKeyManager}. */
export interface TicketKeyManagerOptions {
  /** How long a key is the current one, in ms (12 hours). The previous key decrypts for one more interval. */
  readonly rotationInterval?: number;
  /** Rotate by itself when the current key is older than the interval (true). Fleet followers set false. */
  readonly autoRotate?: boolean;
  /** Random bytes for new keys (the default provider's RNG). */
  readonly random?: (length: number) => Uint8Array;
  /** Keys to start with, as produced by {@link TicketKeyManager.export}. */
  readonly keys?: Uint8Array;
}

interface Slot {
  readonly key: TicketKey;
  /** When it stopped being current (previous key only). */
  readonly retiredAt: number;
}

const DEFAULT_ROTATION = 12 * 3600 * 1000;
const EXPORT_VERSION = 1;

function writeTime(w: TlsWriter, t: number): void {
  w.u32(Math.floor(t / 0x100000000), 'time_high').u32(t % 0x100000000, 'time_low');
}

function readTime(r: TlsReader): number {
  return r.u32('time_high') * 0x100000000 + r.u32('time_low');
}

/** The built-in rotating ticket-key manager (current + previous key). */
export class TicketKeyManager {
  /** Rotation interval in ms. */
  readonly rotationInterval: number;
  /** Whether {@link TicketKeyManager.decide} rotates by itself. */
  readonly autoRotate: boolean;
  private readonly random: (length: number) => Uint8Array;
  private currentKey: TicketKey | undefined;
  private previousSlot: Slot | undefined;

  constructor(options: TicketKeyManagerOptions = {}) {
    const interval = options.rotationInterval ?? DEFAULT_ROTATION;
    if (!Number.isFinite(interval) || interval <= 0) throw new RangeError('rotationInterval must be a positive number of ms');
    this.rotationInterval = interval;
    this.autoRotate = options.autoRotate ?? true;
    this.random = options.random ?? ((n) => defaultProvider().randomBytes(n));
    if (options.keys !== undefined) this.import(options.keys);
  }

  /** The current key (undefined before the first use / rotation). */
  get current(): TicketKey | undefined {
    return this.currentKey;
  }

  /** The previous key, while it still decrypts. */
  get previous(): TicketKey | undefined {
    return this.previousSlot?.key;
  }

  /** Makes a fresh current key at `now`; the old current one becomes the previous key (the older one is dropped). */
  rotate(now: number): TicketKey {
    const key: TicketKey = {
      name: this.random(TICKET_KEY_NAME_LENGTH).slice(),
      secret: this.random(TICKET_KEY_SECRET_LENGTH).slice(),
      createdAt: now,
    };
    if (key.name.length !== TICKET_KEY_NAME_LENGTH || key.secret.length !== TICKET_KEY_SECRET_LENGTH) {
      throw new RangeError('ticket key RNG returned the wrong number of bytes');
    }
    this.previousSlot = this.currentKey === undefined ? undefined : { key: this.currentKey, retiredAt: now };
    this.currentKey = key;
    return key;
  }

  /** Applies the rotation schedule at `now` (only with autoRotate; a first key is made in any case). */
  private tick(now: number): void {
    if (this.currentKey === undefined) {
      this.rotate(now);
      return;
    }
    if (this.autoRotate && now - this.currentKey.createdAt >= this.rotationInterval) this.rotate(now);
    if (this.previousSlot !== undefined && now - this.previousSlot.retiredAt >= this.rotationInterval) {
      this.previousSlot = undefined;
    }
  }

  /**
   * The callback semantics: encrypt → use the current key; decrypt → use (current key), renew (previous key), reject
   * (unknown or rotated-out key).
   */
  decide(keyName: Uint8Array | undefined, mode: 'encrypt' | 'decrypt', now: number): TicketKeyDecision {
    this.tick(now);
    const cur = this.currentKey!;
    if (mode === 'encrypt') return { action: 'use', key: cur };
    if (keyName === undefined) return { action: 'reject' };
    if (sameName(keyName, cur.name)) return { action: 'use', key: cur };
    const prev = this.previousSlot?.key;
    if (prev !== undefined && sameName(keyName, prev.name)) return { action: 'renew', key: prev };
    return { action: 'reject' };
  }

  /** {@link TicketKeyManager.decide} as a {@link TicketKeyCallback}. */
  readonly callback: TicketKeyCallback = (keyName, mode, now) => this.decide(keyName, mode, now);

  /**
   * The keys (current, then previous) as bytes, for the other servers of a fleet (`import` / `keys` option). The
   * bytes are secret: whoever has them can read and forge tickets.
   */
  export(): Uint8Array {
    const w = new TlsWriter(128);
    w.u8(EXPORT_VERSION, 'version');
    const slots: { key: TicketKey; retiredAt: number }[] = [];
    if (this.currentKey !== undefined) slots.push({ key: this.currentKey, retiredAt: 0 });
    if (this.previousSlot !== undefined) slots.push(this.previousSlot);
    w.u8(slots.length, 'count');
    for (const s of slots) {
      w.bytes(s.key.name).bytes(s.key.secret);
      writeTime(w, s.key.createdAt);
      writeTime(w, s.retiredAt);
    }
    return w.finish();
  }

  /** Replaces the keys with exported ones (decode_error TlsAlert for malformed bytes). */
  import(bytes: Uint8Array): void {
    const r = new TlsReader(bytes, 'ticket keys');
    const version = r.u8('version');
    if (version !== EXPORT_VERSION) throw TlsAlert.of('decode_error', `ticket keys: unknown version ${version}`);
    const count = r.u8('count');
    if (count > 2) throw TlsAlert.of('decode_error', `ticket keys: ${count} keys (at most 2)`);
    const slots: Slot[] = [];
    for (let i = 0; i < count; i++) {
      const name = r.bytes(TICKET_KEY_NAME_LENGTH, 'name').slice();
      const secret = r.bytes(TICKET_KEY_SECRET_LENGTH, 'secret').slice();
      const createdAt = readTime(r);
      slots.push({ key: { name, secret, createdAt }, retiredAt: readTime(r) });
    }
    r.expectEnd();
    this.currentKey = slots[0]?.key;
    this.previousSlot = slots[1];
  }
}

function sameName(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

let processDefault: TicketKeyManager | undefined;

/**
 * The process-wide manager a server uses when given neither `ticketKeys` nor `ticketKeyCallback`, so that the
 * connections of one process resume each other's tickets. Created on first use.
 */
export function defaultTicketKeyManager(): TicketKeyManager {
  processDefault ??= new TicketKeyManager();
  return processDefault;
}
