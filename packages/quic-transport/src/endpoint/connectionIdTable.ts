/**
 * The endpoint's routing table: connection ID → connection (RFC 9000 §5.2). Each connection may be reachable under
 * several IDs (the ones it issued with NEW_CONNECTION_ID, plus, on a server, the client-chosen DCID of the first
 * Initial until the connection ends). IDs are compared as byte strings. A lookup of the ID looked up last (the common
 * case: a burst of packets for one connection) compares bytes and allocates nothing; other lookups build one short
 * string key.
 */

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** Map key of a connection ID (lowercase hex). */
export function connectionIdKey(cid: Uint8Array): string {
  let s = '';
  for (let i = 0; i < cid.length; i++) s += HEX[cid[i]];
  return s;
}

/** Connection IDs routed to values of type T. */
export class ConnectionIdTable<T> {
  private readonly routes = new Map<string, T>();
  private readonly byOwner = new Map<T, Set<string>>();
  /** The last ID found by {@link get} (a private copy) and its owner; cleared whenever a route is removed. */
  private lastCid: Uint8Array | undefined;
  private lastOwner: T | undefined;

  /** Number of routed IDs. */
  get size(): number {
    return this.routes.size;
  }

  /** Routes `cid` to `owner`; false (and no change) if the ID is already routed to someone else. */
  add(cid: Uint8Array, owner: T): boolean {
    const key = connectionIdKey(cid);
    const current = this.routes.get(key);
    if (current !== undefined && current !== owner) return false;
    this.routes.set(key, owner);
    let set = this.byOwner.get(owner);
    if (!set) {
      set = new Set();
      this.byOwner.set(owner, set);
    }
    set.add(key);
    return true;
  }

  /** True when `cid` is routed. */
  has(cid: Uint8Array): boolean {
    return this.routes.has(connectionIdKey(cid));
  }

  /** The owner of `cid`, if any. */
  get(cid: Uint8Array): T | undefined {
    const last = this.lastCid;
    if (last !== undefined && last.length === cid.length) {
      let i = 0;
      while (i < cid.length && last[i] === cid[i]) i++;
      if (i === cid.length) return this.lastOwner;
    }
    const owner = this.routes.get(connectionIdKey(cid));
    if (owner !== undefined) {
      this.lastCid = new Uint8Array(cid); // a copy: the caller's bytes are a view into a reused datagram
      this.lastOwner = owner;
    }
    return owner;
  }

  private forgetLast(): void {
    this.lastCid = undefined;
    this.lastOwner = undefined;
  }

  /** Stops routing `cid`; returns its former owner. */
  remove(cid: Uint8Array): T | undefined {
    const key = connectionIdKey(cid);
    const owner = this.routes.get(key);
    if (owner === undefined) return undefined;
    this.forgetLast();
    this.routes.delete(key);
    const set = this.byOwner.get(owner);
    set?.delete(key);
    if (set && set.size === 0) this.byOwner.delete(owner);
    return owner;
  }

  /** Removes every ID of `owner`; returns how many. */
  removeOwner(owner: T): number {
    const set = this.byOwner.get(owner);
    if (!set) return 0;
    this.forgetLast();
    for (const key of set) this.routes.delete(key);
    this.byOwner.delete(owner);
    return set.size;
  }

  /** The IDs (hex keys) routed to `owner`. */
  keysOf(owner: T): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }
}
