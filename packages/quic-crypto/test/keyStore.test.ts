/** QuicKeyStore: per-level install / use / discard, roles, 0-RTT direction, version switch, failure accounting. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { EncryptionLevel, PacketProtectionError, QuicKeyStore, QuicVersion, quicCipherSuite } from '../src/index.js';
import { hex, loadVectors, longHeaderPnOffset, providers, toHex } from './helpers.js';

function throwsCode(fn: () => unknown, code: string): void {
  try {
    fn();
  } catch (e) {
    assert.instance(e, PacketProtectionError);
    assert.is((e as PacketProtectionError).code, code);
    return;
  }
  assert.unreachable(`expected PacketProtectionError ${code}`);
}

const v1 = loadVectors('vectors-rfc9001.json');
const v2 = loadVectors('vectors-rfc9369.json');
const dcid = hex(v1.constants.client_dst_connection_id);

function longHeader(firstByte: number, pn: number): { header: Uint8Array; pnOffset: number } {
  // version 1, DCID 8394c8f03e515708, empty SCID, Length 0x4100 (2-byte varint), 2-byte pn.
  const header = Uint8Array.of(firstByte | 0x01, 0, 0, 0, 1, 8, ...dcid, 0, 0x41, 0x00, pn >> 8, pn & 0xff);
  return { header, pnOffset: header.length - 2 };
}

function shortHeader(pn: number): Uint8Array {
  return Uint8Array.of(0x41, 1, 2, 3, 4, pn >> 8, pn & 0xff);
}

for (const provider of providers) {
  const s = suite(`key store / ${provider.name}`);
  const pair = (version: number = QuicVersion.V1): { client: QuicKeyStore; server: QuicKeyStore } => ({
    client: new QuicKeyStore({ role: 'client', version, provider }),
    server: new QuicKeyStore({ role: 'server', version, provider }),
  });

  s('Initial keys: the client store seals the RFC packet, the server store opens it', () => {
    const { client, server } = pair();
    assert.not.ok(client.has('initial', 'write'));
    throwsCode(() => client.protect('initial', new Uint8Array(4), new Uint8Array(4), 1, 0), 'NO_KEYS');
    client.installInitial(dcid);
    server.installInitial(dcid);
    assert.ok(client.has(EncryptionLevel.Initial, 'read'));
    const ci = v1.client_initial;
    const header = hex(ci.unprotected_header);
    const pnOffset = longHeaderPnOffset(header);
    const payload = new Uint8Array(ci.payload_length_with_padding);
    payload.set(hex(ci.crypto_frame));
    const packet = client.protect('initial', header, payload, pnOffset, ci.packet_number);
    assert.is(toHex(packet), ci.protected_packet);
    assert.is(toHex(server.unprotect('initial', packet, pnOffset).payload), toHex(payload));
    // The server's own Initial opens at the client.
    const si = v1.server_initial;
    const sh = hex(si.unprotected_header);
    const sp = server.protect('initial', sh, hex(si.payload), longHeaderPnOffset(sh), si.packet_number);
    assert.is(toHex(sp), si.protected_packet);
    assert.is(toHex(client.unprotect('initial', sp, longHeaderPnOffset(sh)).payload), si.payload);
    // A client cannot open its own packets.
    throwsCode(() => client.unprotect('initial', packet, pnOffset), 'AUTH_FAILED');
    assert.is(client.authFailures, 1);
    assert.not.ok(client.integrityLimitReached);
    client.discard('initial');
    assert.not.ok(client.has('initial', 'read'));
    throwsCode(() => client.unprotect('initial', sp, longHeaderPnOffset(sh)), 'NO_KEYS');
  });

  s('version switch to v2 gives the RFC 9369 Initial', () => {
    const { client } = pair();
    client.setVersion(QuicVersion.V2);
    assert.is(client.version, QuicVersion.V2);
    client.installInitial(dcid);
    const ci = v2.client_initial;
    const header = hex(ci.unprotected_header);
    const payload = new Uint8Array(ci.payload_length_with_padding);
    payload.set(hex(ci.crypto_frame));
    assert.is(toHex(client.protect('initial', header, payload, longHeaderPnOffset(header), 2)), ci.protected_packet);
    throwsCode(() => client.setVersion(0x0a0a0a0a), 'UNSUPPORTED_VERSION');
  });

  s('Handshake and 0-RTT keys from (suite, secret)', () => {
    const { client, server } = pair();
    const cs = quicCipherSuite(0x1302);
    const chs = new Uint8Array(48).fill(1);
    const shs = new Uint8Array(48).fill(2);
    client.install('handshake', 'write', 0x1302, chs);
    client.install('handshake', 'read', cs, shs);
    server.install('handshake', 'read', 0x1302, chs);
    server.install('handshake', 'write', 0x1302, shs);
    const { header, pnOffset } = longHeader(0xe0, 3);
    const packet = client.protect('handshake', header, new Uint8Array(40).fill(9), pnOffset, 3);
    const got = server.unprotect('handshake', packet, pnOffset, 2);
    assert.is(got.packetNumber, 3);
    assert.is(got.payload[39], 9);

    const early = new Uint8Array(32).fill(3);
    client.install('zeroRtt', 'write', 0x1301, early);
    server.install('zeroRtt', 'read', 0x1301, early);
    throwsCode(() => client.install('zeroRtt', 'read', 0x1301, early), 'BAD_ARGUMENT');
    throwsCode(() => server.install('zeroRtt', 'write', 0x1301, early), 'BAD_ARGUMENT');
    const z = longHeader(0xd0, 0);
    const zp = client.protect('zeroRtt', z.header, new Uint8Array(30), z.pnOffset, 0);
    assert.is(server.unprotect('zeroRtt', zp, z.pnOffset).packetNumber, 0);
    assert.ok(server.protector('zeroRtt', 'read').aead.openedCount === 1);
    throwsCode(() => server.protector('zeroRtt', 'write'), 'NO_KEYS');
    server.discard('zeroRtt');
    assert.not.ok(server.has('zeroRtt', 'read'));
  });

  s('1-RTT keys need both directions; key update through the store', () => {
    const { client, server } = pair();
    const cs = quicCipherSuite(0x1303);
    const c = new Uint8Array(32).fill(4);
    const sv = new Uint8Array(32).fill(5);
    client.install('oneRtt', 'read', cs, sv);
    assert.not.ok(client.has('oneRtt', 'read'));
    throwsCode(() => client.oneRttKeys(), 'NO_KEYS');
    client.install('oneRtt', 'write', cs, c);
    assert.ok(client.has('oneRtt', 'write'));
    server.installOneRtt(0x1303, c, sv);
    assert.is(server.integrityLimit, 2 ** 36);
    const got = server.unprotect('oneRtt', client.protect('oneRtt', shortHeader(1), new Uint8Array(20).fill(1), 5, 1), 5, 0);
    assert.is(got.packetNumber, 1);
    assert.is(got.keyPhase, 0);
    const datagram = new Uint8Array(100);
    const n = client.protectInto('oneRtt', shortHeader(5), new Uint8Array(20).fill(2), 5, 5, datagram, 10);
    assert.is(n, 7 + 20 + 16);
    assert.is(server.unprotect('oneRtt', datagram.subarray(10, 10 + n), 5, 1).payload[19], 2);
    const initialOut = new Uint8Array(200);
    client.installInitial(dcid);
    server.installInitial(dcid);
    const lh = longHeader(0xc0, 1);
    const ln = client.protectInto('initial', lh.header, new Uint8Array(30), lh.pnOffset, 1, initialOut);
    assert.is(server.unprotect('initial', initialOut.subarray(0, ln), lh.pnOffset).packetNumber, 1);
    client.oneRttKeys().initiateKeyUpdate();
    const updated = server.unprotect('oneRtt', client.protect('oneRtt', shortHeader(2), new Uint8Array(20), 5, 2), 5, 1, 10);
    assert.is(updated.keyPhase, 1);
    assert.is(server.oneRttKeys().writeKeyPhase, 1);
    const tampered = client.protect('oneRtt', shortHeader(3), new Uint8Array(20), 5, 3);
    tampered[10] ^= 1;
    throwsCode(() => server.unprotect('oneRtt', tampered, 5, 2), 'AUTH_FAILED');
    assert.is(server.authFailures, 1);
    server.discard('oneRtt');
    throwsCode(() => server.protect('oneRtt', shortHeader(4), new Uint8Array(20), 5, 4), 'NO_KEYS');
  });

  s('a pending 1-RTT secret for another suite is replaced', () => {
    const { client } = pair();
    client.install('oneRtt', 'read', 0x1301, new Uint8Array(32));
    client.install('oneRtt', 'write', 0x1302, new Uint8Array(48));
    assert.not.ok(client.has('oneRtt', 'write'));
    client.install('oneRtt', 'read', 0x1302, new Uint8Array(48).fill(1));
    assert.ok(client.has('oneRtt', 'read'));
    assert.is(client.oneRttKeys().suite.code, 0x1302);
  });

  s('bad role, level, direction and suite', () => {
    throwsCode(() => new QuicKeyStore({ role: 'peer' as 'client' }), 'BAD_ARGUMENT');
    throwsCode(() => new QuicKeyStore({ role: 'client', version: 3 }), 'UNSUPPORTED_VERSION');
    const { client } = pair();
    throwsCode(() => client.install('bogus' as 'initial', 'read', 0x1301, new Uint8Array(32)), 'BAD_ARGUMENT');
    throwsCode(() => client.install('handshake', 'sideways' as 'read', 0x1301, new Uint8Array(32)), 'BAD_ARGUMENT');
    throwsCode(() => client.install('handshake', 'read', 0x1304, new Uint8Array(32)), 'UNSUPPORTED_SUITE');
    throwsCode(() => client.install('handshake', 'read', 0x1301, new Uint8Array(48)), 'BAD_ARGUMENT');
    throwsCode(() => client.has('bogus' as 'initial', 'read'), 'BAD_ARGUMENT');
    assert.is(client.role, 'client');
  });

  s.run();
}
