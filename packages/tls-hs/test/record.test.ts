/** Record layer: framing of any split, limits, protection errors, padding, fragmentation, CCS rules, alerts. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsAlert } from '../src/alerts.js';
import { TLS_AES_128_GCM_SHA256, TLS_CHACHA20_POLY1305_SHA256 } from '../src/keyschedule/cipherSuite.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { RecordReader } from '../src/record/recordReader.js';
import { RecordType, MAX_PLAINTEXT } from '../src/record/recordType.js';
import { AlertLevel, decodeAlert, encodeAlert, remoteAlert } from '../src/record/alertMessage.js';
import { hex, providers, toHex } from './crypto-helpers.js';

function alertOf(fn: () => unknown, name: string): void {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof TlsAlert, `expected TlsAlert, got ${String(e)}`);
    assert.is((e as TlsAlert).alert, name, (e as Error).message);
    return;
  }
  assert.unreachable(`expected alert ${name}`);
}

const secret = hex('5a'.repeat(32));

for (const provider of providers) {
  const s = suite(`record (${provider.name})`);

  s('reader: any split, several records at once, header kept', () => {
    const recs = [Uint8Array.of(22, 3, 3, 0, 2, 0xaa, 0xbb), Uint8Array.of(23, 3, 3, 0, 0), Uint8Array.of(21, 3, 1, 0, 1, 7)];
    const all = new Uint8Array([...recs[0], ...recs[1], ...recs[2]]);
    for (const step of [1, 2, 3, 5, all.length]) {
      const r = new RecordReader();
      const got: string[] = [];
      for (let i = 0; i < all.length; i += step) {
        r.push(all.subarray(i, i + step));
        for (let x = r.next(); x !== null; x = r.next()) got.push(`${x.type}:${x.version}:${toHex(x.fragment)}:${toHex(x.header)}`);
      }
      assert.equal(got, ['22:771:aabb:1603030002', '23:771::1703030000', '21:769:07:1503010001']);
      assert.is(r.buffered, 0);
    }
    const r = new RecordReader();
    r.push(new Uint8Array(0));
    assert.is(r.next(), null);
  });

  s('reader: records inside a chunk are views of it, straddling ones are copied; all stay valid', () => {
    const rec = (n: number, fill: number) => new Uint8Array([23, 3, 3, 0, n, ...new Array<number>(n).fill(fill)]);
    const chunk1 = new Uint8Array([...rec(4, 1), ...rec(4, 2).subarray(0, 6)]); // one whole record + a split one
    const chunk2 = new Uint8Array([...rec(4, 2).subarray(6), ...rec(3, 3), 23, 3]); // its tail, a whole one, a header part
    const r = new RecordReader();
    r.push(chunk1);
    const a = r.next()!;
    assert.is(a.fragment.buffer, chunk1.buffer, 'whole record: a view of the pushed chunk');
    assert.is(r.next(), null);
    r.push(chunk2);
    const b = r.next()!;
    assert.is.not(b.fragment.buffer, chunk1.buffer);
    assert.is.not(b.fragment.buffer, chunk2.buffer);
    const c = r.next()!;
    assert.is(c.fragment.buffer, chunk2.buffer);
    assert.is(r.next(), null);
    assert.is(r.buffered, 2);
    r.push(Uint8Array.of(3, 0, 1, 9));
    const d = r.next()!;
    assert.equal([...a.fragment, ...b.fragment, ...c.fragment, ...d.fragment], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 9]);
    assert.equal([...d.header], [23, 3, 3, 0, 1]);
    assert.is(r.buffered, 0);
  });

  s('reader: large records grow the buffer; limits', () => {
    const r = new RecordReader();
    const big = new Uint8Array(5 + MAX_PLAINTEXT + 256);
    big.set([23, 3, 3, (MAX_PLAINTEXT + 256) >> 8, (MAX_PLAINTEXT + 256) & 0xff]);
    r.push(big.subarray(0, 3000));
    assert.is(r.next(), null);
    r.push(big.subarray(3000));
    assert.is(r.next()!.fragment.length, MAX_PLAINTEXT + 256);
    alertOf(() => {
      const q = new RecordReader();
      q.push(Uint8Array.of(23, 3, 3, 0x41, 0x01));
      q.next();
    }, 'record_overflow');
    alertOf(() => {
      const q = new RecordReader();
      q.push(Uint8Array.of(99));
      q.next();
    }, 'unexpected_message');
    alertOf(() => {
      const q = new RecordReader();
      q.push(Uint8Array.of(22, 2));
      q.next();
    }, 'decode_error');
    const q = new RecordReader({ maxFragmentLength: 10 });
    q.push(Uint8Array.of(22, 3, 3, 0, 11));
    alertOf(() => q.next(), 'record_overflow');
  });

  s('cipher: round trip with padding stripped, sequence numbers advance', () => {
    const a = new RecordCipher(provider, TLS_CHACHA20_POLY1305_SHA256, secret);
    const b = new RecordCipher(provider, TLS_CHACHA20_POLY1305_SHA256, secret);
    for (let i = 0; i < 3; i++) {
      const rec = a.seal(RecordType.handshake, Uint8Array.of(1, 2, 3, 0), 10 * i);
      assert.is(rec.length, 5 + 4 + 1 + 10 * i + 16);
      const o = b.open(rec.subarray(0, 5), rec.subarray(5));
      assert.is(o.type, RecordType.handshake);
      assert.is(toHex(o.content), '01020300');
    }
    assert.is(a.sequenceNumber, 3);
    assert.is(b.sequenceNumber, 3);
    // padding is clamped so the inner plaintext stays within 2^14 + 1
    const full = a.seal(RecordType.application_data, new Uint8Array(MAX_PLAINTEXT), 100);
    assert.is(full.length, 5 + MAX_PLAINTEXT + 1 + 16);
    assert.throws(() => a.seal(23, new Uint8Array(MAX_PLAINTEXT + 1)), RangeError);
  });

  s('cipher: bad tag, wrong sequence, short record, all-zero plaintext, overflow', () => {
    const a = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, secret);
    const rec = a.seal(23, Uint8Array.of(9));
    const t = rec.slice();
    t[t.length - 1] ^= 1;
    const b = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, secret);
    alertOf(() => b.open(t.subarray(0, 5), t.subarray(5)), 'bad_record_mac');
    assert.is(b.sequenceNumber, 0);
    const h = rec.slice(0, 5);
    h[2] = 1; // AAD differs
    alertOf(() => b.open(h, rec.subarray(5)), 'bad_record_mac');
    alertOf(() => b.open(rec.subarray(0, 5), new Uint8Array(16)), 'bad_record_mac');
    alertOf(() => b.open(rec.subarray(0, 5), new Uint8Array(MAX_PLAINTEXT + 257)), 'record_overflow');
    const c = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, secret);
    c.seal(23, Uint8Array.of(1)); // skip seq 0
    const later = c.seal(23, Uint8Array.of(1));
    alertOf(() => b.open(later.subarray(0, 5), later.subarray(5)), 'bad_record_mac');
    // an inner plaintext of only zeros has no content type → unexpected_message
    const z = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, secret);
    const zeros = z.seal(0, new Uint8Array(0), 5);
    const zr = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, secret);
    alertOf(() => zr.open(zeros.subarray(0, 5), zeros.subarray(5)), 'unexpected_message');
  });

  s('layer: fragmentation of large handshake data and padding policy', () => {
    const w = new RecordLayer({ provider, padding: (type, len) => (type === 23 ? 32 - (len % 32) : 0) });
    const r = new RecordLayer({ provider });
    const data = new Uint8Array(40000).map((_, i) => i & 0xff);
    const plain = w.writeHandshake(data);
    assert.is(plain.length, 40000 + 3 * 5);
    r.receive(plain);
    const parts: number[] = [];
    for (let x = r.read(); x !== null; x = r.read()) parts.push(x.data.length);
    assert.equal(parts, [16384, 16384, 7232]);
    w.setWriteKey(TLS_AES_128_GCM_SHA256, secret);
    r.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    assert.ok(w.writeProtected && r.readProtected);
    const enc = w.writeApplicationData(data.subarray(0, 100));
    assert.is(enc.length, 5 + 100 + 28 + 1 + 16);
    r.receive(enc);
    const got = r.read()!;
    assert.is(got.type, 23);
    assert.is(toHex(got.data), toHex(data.subarray(0, 100)));
    const empty = w.writeApplicationData(new Uint8Array(0));
    r.receive(empty);
    assert.is(r.read()!.data.length, 0);
    w.setPadding(undefined);
    w.setMaxFragmentLength(100);
    r.receive(w.writeHandshake(data.subarray(0, 250)));
    assert.equal([r.read()!.data.length, r.read()!.data.length, r.read()!.data.length], [100, 100, 50]);
    assert.throws(() => w.setMaxFragmentLength(10), RangeError);
    assert.throws(() => new RecordLayer({ provider }).writeApplicationData(Uint8Array.of(1)), /before traffic keys/);
  });

  s('layer: change_cipher_spec rules (RFC 8446 §5)', () => {
    const ccs = new RecordLayer({ provider }).writeChangeCipherSpec();
    assert.is(toHex(ccs), '140303000101');
    const r = new RecordLayer({ provider });
    r.receive(ccs);
    alertOf(() => r.read(), 'unexpected_message'); // before the first ClientHello
    const r2 = new RecordLayer({ provider });
    r2.allowChangeCipherSpec(true);
    r2.receive(ccs);
    r2.receive(Uint8Array.of(22, 3, 3, 0, 1, 5));
    assert.is(r2.read()!.type, 22); // CCS dropped
    r2.receive(Uint8Array.of(20, 3, 3, 0, 1, 2));
    alertOf(() => r2.read(), 'unexpected_message'); // wrong value
    const r3 = new RecordLayer({ provider });
    r3.allowChangeCipherSpec(true);
    r3.receive(Uint8Array.of(20, 3, 3, 0, 2, 1, 1));
    alertOf(() => r3.read(), 'unexpected_message');
    // a protected CCS is never allowed
    const w = new RecordLayer({ provider });
    w.setWriteKey(TLS_AES_128_GCM_SHA256, secret);
    const r4 = new RecordLayer({ provider });
    r4.allowChangeCipherSpec(true);
    r4.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    r4.receive(w.write(20, Uint8Array.of(1)));
    alertOf(() => r4.read(), 'unexpected_message');
  });

  s('layer: plaintext/protected mismatches and inner type checks', () => {
    const r = new RecordLayer({ provider });
    r.receive(Uint8Array.of(23, 3, 3, 0, 1, 0));
    alertOf(() => r.read(), 'unexpected_message');
    const r1 = new RecordLayer({ provider });
    r1.receive(Uint8Array.of(22, 3, 3, 0, 0));
    alertOf(() => r1.read(), 'unexpected_message');
    const r2 = new RecordLayer({ provider });
    r2.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    r2.receive(Uint8Array.of(22, 3, 3, 0, 1, 0));
    alertOf(() => r2.read(), 'unexpected_message');
    const w = new RecordLayer({ provider });
    w.setWriteKey(TLS_AES_128_GCM_SHA256, secret);
    const r3 = new RecordLayer({ provider });
    r3.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    r3.receive(w.write(19, Uint8Array.of(1)));
    alertOf(() => r3.read(), 'unexpected_message');
    r3.receive(w.write(22, new Uint8Array(0)));
    alertOf(() => r3.read(), 'unexpected_message');
    const r5 = new RecordLayer({ provider });
    r5.receive(Uint8Array.of(22, 3, 3, 0x40, 0x01));
    r5.receive(new Uint8Array(0x4001));
    alertOf(() => r5.read(), 'record_overflow');
  });

  s('layer: skipping undecryptable records after rejecting 0-RTT', () => {
    const early = new RecordLayer({ provider });
    early.setWriteKey(TLS_AES_128_GCM_SHA256, hex('01'.repeat(32)));
    const hs = new RecordLayer({ provider });
    hs.setWriteKey(TLS_AES_128_GCM_SHA256, secret);
    const r = new RecordLayer({ provider });
    r.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    r.skipUndecryptable(100);
    r.receive(early.writeApplicationData(new Uint8Array(20)));
    r.receive(early.writeApplicationData(new Uint8Array(20)));
    r.receive(hs.writeHandshake(Uint8Array.of(20, 0, 0, 0)));
    assert.is(toHex(r.read()!.data), '14000000');
    r.receive(early.writeApplicationData(new Uint8Array(20)));
    alertOf(() => r.read(), 'bad_record_mac'); // budget reset after the first good record
    const r2 = new RecordLayer({ provider });
    r2.setReadKey(TLS_AES_128_GCM_SHA256, secret);
    r2.skipUndecryptable(30);
    r2.receive(early.writeApplicationData(new Uint8Array(20)));
    r2.receive(early.writeApplicationData(new Uint8Array(20)));
    alertOf(() => r2.read(), 'bad_record_mac'); // budget exhausted
  });

  s('alerts: encode levels, decode, remote TlsAlert', () => {
    assert.equal([...encodeAlert(0)], [1, 0]);
    assert.equal([...encodeAlert(90)], [1, 90]);
    assert.equal([...encodeAlert(40)], [2, 40]);
    assert.equal([...encodeAlert(40, AlertLevel.warning)], [1, 40]);
    assert.equal(decodeAlert(Uint8Array.of(2, 51)), { level: 2, description: 51 });
    alertOf(() => decodeAlert(Uint8Array.of(2)), 'decode_error');
    alertOf(() => decodeAlert(Uint8Array.of(3, 1)), 'decode_error');
    const a = remoteAlert({ level: 2, description: 48 });
    assert.ok(a.remote);
    assert.is(a.alert, 'unknown_ca');
    const w = new RecordLayer({ provider });
    assert.is(toHex(w.writeAlert(40)), '15030300020228');
  });

  s.run();
}
