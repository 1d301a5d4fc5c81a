import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createNobleProvider, createNodeProvider } from '@quichs/tls-hs';
import {
  AddressTokenMinter,
  canonicalAddressBytes,
  NEW_TOKEN_MARKER,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  QuicError,
  RETRY_TOKEN_MARKER,
  StatelessResetTokenGenerator,
} from '../src/index.js';
import type { AddressTokenValidation } from '../src/index.js';

const s = suite('token');
const node = createNodeProvider();
const KEY = new Uint8Array(32).fill(7);
const remote = { address: '192.0.2.10', port: 4433 };
const odcid = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8);
const rscid = Uint8Array.of(9, 9, 9, 9, 9, 9, 9, 9);
const V1 = QUIC_VERSION_1;
const V2 = QUIC_VERSION_2;

function reason(v: AddressTokenValidation): string {
  return v.valid ? 'valid' : v.reason;
}

s('Retry token round trip carries ODCID, RSCID and issue time', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const t = m.mintRetryToken(remote, odcid, rscid, 1000.5, V1);
  assert.is(t[0], RETRY_TOKEN_MARKER);
  const v = m.validate(t, { remote, dcid: rscid, now: 5000, version: V1 });
  assert.ok(v.valid);
  if (!v.valid) return;
  assert.is(v.kind, 'retry');
  assert.is(v.issuedAt, 1000.5);
  assert.equal([...v.originalDcid], [...odcid]);
  assert.equal([...v.retrySourceCid], [...rscid]);
});

s('NEW_TOKEN token round trip; any port of the same address', () => {
  const m = new AddressTokenMinter({ key: KEY.subarray(0, 16), provider: node });
  const t = m.mintNewToken(remote, 0, V1);
  assert.is(t[0], NEW_TOKEN_MARKER);
  const v = m.validate(t, { remote: { address: '192.0.2.10', port: 1 }, dcid: odcid, now: 3_600_000, version: V1 });
  assert.ok(v.valid);
  if (v.valid) {
    assert.is(v.kind, 'newToken');
    assert.is(v.originalDcid.length, 0);
  }
});

s('two tokens for the same input differ (random nonce)', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const a = m.mintNewToken(remote, 0, V1);
  const b = m.mintNewToken(remote, 0, V1);
  assert.is.not(Buffer.from(a).toString('hex'), Buffer.from(b).toString('hex'));
});

s('every single-bit flip is refused', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const t = m.mintRetryToken(remote, odcid, rscid, 0, V1);
  for (let i = 0; i < t.length; i++) {
    const bad = Uint8Array.from(t);
    bad[i] ^= 0x01;
    const v = m.validate(bad, { remote, dcid: rscid, now: 1, version: V1 });
    assert.not.ok(v.valid, `flip at ${i}`);
    // byte 0 is the marker: 0x52 ^ 1 is not a marker at all
    assert.is(reason(v), i === 0 ? 'malformed' : 'forged');
  }
});

s('forged: other key, truncated, empty, garbage', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const other = new AddressTokenMinter({ key: new Uint8Array(32).fill(8), provider: node });
  const t = other.mintRetryToken(remote, odcid, rscid, 0, V1);
  const v = m.validate(t, { remote, dcid: rscid, now: 1, version: V1 });
  assert.is(reason(v), 'forged');
  if (!v.valid) assert.is(v.claimedKind, 'retry');
  assert.is(reason(m.validate(t.subarray(0, t.length - 1), { remote, dcid: rscid, now: 1, version: V1 })), 'forged');
  assert.is(reason(m.validate(t.subarray(0, 20), { remote, dcid: rscid, now: 1, version: V1 })), 'malformed');
  assert.is(reason(m.validate(new Uint8Array(0), { remote, dcid: rscid, now: 1, version: V1 })), 'malformed');
  const garbage = new Uint8Array(60).fill(0x4e);
  const g = m.validate(garbage, { remote, dcid: rscid, now: 1, version: V1 });
  assert.is(reason(g), 'forged');
  if (!g.valid) assert.is(g.claimedKind, 'newToken');
  const unknown = m.validate(new Uint8Array(60).fill(0x33), { remote, dcid: rscid, now: 1, version: V1 });
  if (!unknown.valid) assert.is(unknown.claimedKind, undefined);
});

s('expiry: Retry after 10 s, NEW_TOKEN after 24 h, both configurable; future tokens refused', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const r = m.mintRetryToken(remote, odcid, rscid, 0, V1);
  assert.ok(m.validate(r, { remote, dcid: rscid, now: 10_000, version: V1 }).valid);
  assert.is(reason(m.validate(r, { remote, dcid: rscid, now: 10_001, version: V1 })), 'expired');
  const n = m.mintNewToken(remote, 0, V1);
  assert.ok(m.validate(n, { remote, dcid: rscid, now: 86_400_000, version: V1 }).valid);
  assert.is(reason(m.validate(n, { remote, dcid: rscid, now: 86_400_001, version: V1 })), 'expired');
  const short = new AddressTokenMinter({ key: KEY, provider: node, retryLifetimeMs: 50, newTokenLifetimeMs: 100 });
  assert.is(short.retryLifetimeMs, 50);
  assert.is(reason(short.validate(r, { remote, dcid: rscid, now: 51, version: V1 })), 'expired');
  assert.ok(short.validate(n, { remote, dcid: rscid, now: 100, version: V1 }).valid);
  assert.is(reason(short.validate(n, { remote, dcid: rscid, now: 101, version: V1 })), 'expired');
  const late = m.mintNewToken(remote, 50_000, V1);
  assert.ok(m.validate(late, { remote, dcid: rscid, now: 49_500, version: V1 }).valid, 'within skew');
  assert.is(reason(m.validate(late, { remote, dcid: rscid, now: 40_000, version: V1 })), 'future');
});

s('wrong address / port / connection ID', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const r = m.mintRetryToken(remote, odcid, rscid, 0, V1);
  assert.is(reason(m.validate(r, { remote: { address: '192.0.2.11', port: 4433 }, dcid: rscid, now: 1, version: V1 })), 'wrong_address');
  assert.is(reason(m.validate(r, { remote: { address: '192.0.2.10', port: 4434 }, dcid: rscid, now: 1, version: V1 })), 'wrong_address');
  assert.is(reason(m.validate(r, { remote, dcid: odcid, now: 1, version: V1 })), 'wrong_connection_id');
  assert.ok(m.validate(r, { remote: { address: '::FFFF:192.0.2.10', port: 4433 }, dcid: rscid, now: 1, version: V1 }).valid);
  const n = m.mintNewToken({ address: 'fe80::1%eth0', port: 1 }, 0, V1);
  assert.ok(m.validate(n, { remote: { address: 'FE80::1', port: 9 }, dcid: rscid, now: 1, version: V1 }).valid);
  assert.is(reason(m.validate(n, { remote: { address: 'fe80::2', port: 9 }, dcid: rscid, now: 1, version: V1 })), 'wrong_address');
});

s('wrong kind when the caller expects one', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const r = m.mintRetryToken(remote, odcid, rscid, 0, V1);
  const n = m.mintNewToken(remote, 0, V1);
  assert.is(reason(m.validate(r, { remote, dcid: rscid, now: 1, version: V1, expect: 'newToken' })), 'wrong_kind');
  assert.is(reason(m.validate(n, { remote, dcid: rscid, now: 1, version: V1, expect: 'retry' })), 'wrong_kind');
  assert.ok(m.validate(n, { remote, dcid: rscid, now: 1, version: V1, expect: 'newToken' }).valid);
  // changing the marker to the other kind breaks the AEAD (the marker is associated data)
  const swapped = Uint8Array.from(n);
  swapped[0] = RETRY_TOKEN_MARKER;
  assert.is(reason(m.validate(swapped, { remote, dcid: rscid, now: 1, version: V1 })), 'forged');
});

s('tokens are bound to their QUIC version (RFC 9369 §5): another version is wrong_version, for both kinds', () => {
  const m = new AddressTokenMinter({ key: KEY, provider: node });
  const r = m.mintRetryToken(remote, odcid, rscid, 0, V2);
  const n = m.mintNewToken(remote, 0, V1);
  const rv = m.validate(r, { remote, dcid: rscid, now: 1, version: V2 });
  assert.ok(rv.valid && rv.version === V2);
  const nv = m.validate(n, { remote, dcid: rscid, now: 1, version: V1 });
  assert.ok(nv.valid && nv.version === V1);
  const wrongRetry = m.validate(r, { remote, dcid: rscid, now: 1, version: V1 });
  assert.is(reason(wrongRetry), 'wrong_version');
  if (!wrongRetry.valid) assert.is(wrongRetry.claimedKind, 'retry', 'the endpoint answers INVALID_TOKEN');
  const wrongNew = m.validate(n, { remote, dcid: rscid, now: 1, version: V2 });
  assert.is(reason(wrongNew), 'wrong_version');
  if (!wrongNew.valid) assert.is(wrongNew.claimedKind, 'newToken', 'the endpoint ignores it');
  // a reserved / unknown version is just another version
  assert.is(reason(m.validate(n, { remote, dcid: rscid, now: 1, version: 0x1a2a3a4a })), 'wrong_version');
  assert.ok(m.validate(m.mintNewToken(remote, 0, 0xff00001d), { remote, dcid: rscid, now: 1, version: 0xff00001d }).valid);
});

s('bad minting arguments are QuicError', () => {
  assert.throws(() => new AddressTokenMinter({ key: new Uint8Array(20), provider: node }), (e: unknown) => e instanceof QuicError);
  const m = new AddressTokenMinter({ provider: node });
  assert.throws(() => m.mintRetryToken(remote, new Uint8Array(21), rscid, 0, V1), (e: unknown) => e instanceof QuicError);
  assert.throws(() => m.mintRetryToken({ address: 'x', port: 70000 }, odcid, rscid, 0, V1), (e: unknown) => e instanceof QuicError);
  assert.throws(() => m.mintNewToken(remote, NaN, V1), (e: unknown) => e instanceof QuicError);
  assert.throws(() => m.mintNewToken(remote, 0, -1), (e: unknown) => e instanceof QuicError);
  assert.throws(() => m.mintNewToken(remote, 0, 2 ** 32), (e: unknown) => e instanceof QuicError);
});

s('tokens from the noble provider open with the node provider (same format)', () => {
  const a = new AddressTokenMinter({ key: KEY, provider: createNobleProvider() });
  const b = new AddressTokenMinter({ key: KEY, provider: node });
  assert.ok(b.validate(a.mintRetryToken(remote, odcid, rscid, 0, V1), { remote, dcid: rscid, now: 0, version: V1 }).valid);
});

s('canonical address bytes', () => {
  assert.equal(canonicalAddressBytes('::ffff:10.0.0.1'), canonicalAddressBytes('10.0.0.1'));
  assert.equal(canonicalAddressBytes('2001:DB8::1'), canonicalAddressBytes('2001:db8::1'));
});

s('stateless reset token: HMAC-SHA256(key, cid) truncated to 16 bytes, deterministic per key', () => {
  const key = new Uint8Array(32).fill(3);
  const g = new StatelessResetTokenGenerator({ key, provider: node });
  const cid = Uint8Array.of(1, 2, 3, 4);
  const t = g.tokenFor(cid);
  assert.is(t.length, 16);
  assert.equal([...t], [...node.hmac('sha256', key, cid).subarray(0, 16)]);
  assert.equal([...new StatelessResetTokenGenerator({ key, provider: createNobleProvider() }).tokenFor(cid)], [...t]);
  assert.is.not(Buffer.from(g.tokenFor(Uint8Array.of(1, 2, 3, 5))).toString('hex'), Buffer.from(t).toString('hex'));
  const other = new StatelessResetTokenGenerator({ provider: node });
  assert.is.not(Buffer.from(other.tokenFor(cid)).toString('hex'), Buffer.from(t).toString('hex'));
  assert.throws(() => new StatelessResetTokenGenerator({ key: new Uint8Array(8) }), (e: unknown) => e instanceof QuicError);
  assert.throws(() => g.tokenFor(new Uint8Array(21)), (e: unknown) => e instanceof QuicError);
});

s.run();
