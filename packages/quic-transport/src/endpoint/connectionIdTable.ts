/**
 * The endpoint's routing table: connection ID → connection (RFC 9000 §5.2). Each connection may be reachable under
 * several IDs (the ones it issued with NEW_CONNECTION_ID, plus, on a server, the client-chosen DCID of the first
 * Initial until the connection ends). IDs are compared as byte strings; lookups allocate one short string.
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
    return this.routes.get(connectionIdKey(cid));
  }

  /** Stops routing `cid`; returns its former owner. */
  remove(cid: Uint8Array): T | undefined {
    const key = connectionIdKey(cid);
    const owner = this.routes.get(key);
    if (owner === undefined) return undefined;
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
    for (const key of set) this.routes.delete(key);
    this.byOwner.delete(owner);
    return set.size;
  }

  /** The IDs (hex keys) routed to `owner`. */
  keysOf(owner: T): string[] {
    return [...(this.byOwner.get(owner) ?? [])];
  }
}
