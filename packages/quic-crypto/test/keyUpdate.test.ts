/** Key update (RFC 9001 §6) through KeyPhaseManager, with both providers. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  KeyPhaseManager,
  PacketProtectionError,
  QuicVersion,
  nextTrafficSecret,
  quicCipherSuite,
  type QuicCipherSuite,
} from '../src/index.js';
import { hex, loadVectors, providers, toHex } from './helpers.js';

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

const DCID = Uint8Array.of(0xde, 0xad, 0xbe, 0xef);
const PN_OFFSET = 1 + DCID.length;

/** A short header with a 2-byte packet number. */
function shortHeader(pn: number): Uint8Array {
  const h = new Uint8Array(PN_OFFSET + 2);
  h[0] = 0x40 | 0x01;
  h.set(DCID, 1);
  h[PN_OFFSET] = (pn >> 8) & 0xff;
  h[PN_OFFSET + 1] = pn & 0xff;
  return h;
}

const text = (s: string): Uint8Array => new TextEncoder().encode(s.padEnd(8, '.'));
const str = (b: Uint8Array): string => new TextDecoder().decode(b).replace(/\.+$/, '');

for (const provider of providers) {
  for (const code of [0x1301, 0x1303] as const) {
    const cs: QuicCipherSuite = quicCipherSuite(code);
    const s = suite(`key update / ${provider.name} / ${cs.name}`);
    const clientSecret = new Uint8Array(cs.secretLength).fill(0x11);
    const serverSecret = new Uint8Array(cs.secretLength).fill(0x22);

    const pair = (): { client: KeyPhaseManager; server: KeyPhaseManager } => ({
      client: new KeyPhaseManager(cs, serverSecret, clientSecret, { provider, retainPreviousKeysFor: 300 }),
      server: new KeyPhaseManager(cs, clientSecret, serverSecret, { provider }),
    });

    s('phase 0 traffic both ways', () => {
      const { client, server } = pair();
      const got = server.unprotect(client.protect(shortHeader(0), text('hi'), PN_OFFSET, 0), PN_OFFSET, -1);
      assert.is(str(got.payload), 'hi');
      assert.is(got.keyPhase, 0);
      assert.is(got.keyUpdated, false);
      const back = client.unprotect(server.protect(shortHeader(0), text('yo'), PN_OFFSET, 0), PN_OFFSET, -1);
      assert.is(str(back.payload), 'yo');
      assert.is(client.sealedWithCurrentKeys, 1);
      assert.not.ok(client.shouldInitiateKeyUpdate);
    });

    s('client-initiated update: server follows, client completes, reordered old packet still opens', () => {
      const { client, server } = pair();
      const old9 = client.protect(shortHeader(9), text('nine'), PN_OFFSET, 9);
      assert.ok(client.canInitiateKeyUpdate);
      client.initiateKeyUpdate();
      assert.is(client.writeKeyPhase, 1);
      assert.is(client.readKeyPhase, 0);
      assert.ok(client.updatePending);
      throwsCode(() => client.initiateKeyUpdate(), 'KEY_UPDATE_NOT_ALLOWED');
      assert.is(toHex(client.writeSecret), toHex(nextTrafficSecret(cs, clientSecret, QuicVersion.V1, provider)));

      const p10 = client.protect(shortHeader(10), text('ten'), PN_OFFSET, 10);
      const got10 = server.unprotect(p10, PN_OFFSET, 8, 1000);
      assert.is(str(got10.payload), 'ten');
      assert.is(got10.keyPhase, 1);
      assert.ok(got10.keyUpdated);
      assert.is(server.readKeyPhase, 1);
      assert.is(server.writeKeyPhase, 1, 'server answers with new write keys');
      assert.is(server.writeKeyUpdates, 1);
      assert.ok(server.hasPreviousReadKeys);
      assert.is(server.nextTimeout(), Infinity);

      const got9 = server.unprotect(old9, PN_OFFSET, 10, 1001);
      assert.is(str(got9.payload), 'nine');
      assert.is(got9.keyPhase, 0);
      assert.is(got9.keyUpdated, false);
      assert.is(server.readKeyPhase, 1);

      const reply = client.unprotect(server.protect(shortHeader(5), text('ack'), PN_OFFSET, 5), PN_OFFSET, 4, 2000);
      assert.ok(reply.keyUpdated);
      assert.is(reply.keyPhase, 1);
      assert.is(client.readKeyPhase, 1);
      assert.is(client.writeKeyUpdates, 1, 'client does not update twice');
      assert.is(client.readKeyUpdates, 1);
      assert.not.ok(client.updatePending);
      assert.is(client.nextTimeout(), 2300);
      assert.is(toHex(client.readSecret), toHex(nextTrafficSecret(cs, serverSecret, QuicVersion.V1, provider)));
    });

    s('a second update needs an acknowledgment of a packet sent with the current keys', () => {
      const { client, server } = pair();
      client.initiateKeyUpdate();
      server.unprotect(client.protect(shortHeader(1), text('a'), PN_OFFSET, 1), PN_OFFSET, 0);
      client.unprotect(server.protect(shortHeader(1), text('b'), PN_OFFSET, 1), PN_OFFSET, 0);
      assert.not.ok(client.canInitiateKeyUpdate);
      throwsCode(() => client.initiateKeyUpdate(), 'KEY_UPDATE_NOT_ALLOWED');
      client.onPacketAcknowledged(0);
      assert.not.ok(client.canInitiateKeyUpdate, 'an ack of a packet from before the update does not count');
      client.onPacketAcknowledged(1);
      assert.ok(client.canInitiateKeyUpdate);
      client.initiateKeyUpdate();
      assert.is(client.writeKeyPhase, 0);
      assert.is(client.writeKeyUpdates, 2);
      const got = server.unprotect(client.protect(shortHeader(2), text('c'), PN_OFFSET, 2), PN_OFFSET, 1);
      assert.ok(got.keyUpdated);
      assert.is(server.readKeyUpdates, 2);
      assert.is(server.writeKeyUpdates, 2);
      const chain = nextTrafficSecret(cs, nextTrafficSecret(cs, clientSecret, 1, provider), 1, provider);
      assert.is(toHex(server.readSecret), toHex(chain));
    });

    s('a packet with the wrong key phase is rejected and changes nothing', () => {
      const { client, server } = pair();
      const packet = client.protect(shortHeader(3), text('x'), PN_OFFSET, 3);
      const forged = Uint8Array.from(packet);
      forged[0] ^= 0x04; // header protection masks this bit: the receiver sees the other phase
      throwsCode(() => server.unprotect(forged, PN_OFFSET, 2), 'AUTH_FAILED');
      assert.is(server.readKeyPhase, 0);
      assert.is(server.readKeyUpdates, 0);
      assert.is(str(server.unprotect(packet, PN_OFFSET, 2).payload), 'x');
    });

    s('previous read keys are discarded at the deadline; then old packets fail', () => {
      const { client, server } = pair();
      const oldPacket = server.protect(shortHeader(7), text('old'), PN_OFFSET, 7);
      server.initiateKeyUpdate();
      client.unprotect(server.protect(shortHeader(8), text('new'), PN_OFFSET, 8), PN_OFFSET, 6, 100);
      assert.is(client.nextTimeout(), 400);
      client.onTimeout(399);
      assert.ok(client.hasPreviousReadKeys);
      client.retainPreviousKeysFor = 50;
      client.onTimeout(400);
      assert.not.ok(client.hasPreviousReadKeys);
      assert.is(client.nextTimeout(), undefined);
      throwsCode(() => client.unprotect(oldPacket, PN_OFFSET, 8), 'AUTH_FAILED');
      // Explicit discard also works, and without `now` there is no deadline.
      const again = pair();
      again.server.initiateKeyUpdate();
      again.client.unprotect(again.server.protect(shortHeader(1), text('z'), PN_OFFSET, 1), PN_OFFSET, 0);
      assert.is(again.client.nextTimeout(), undefined);
      assert.ok(again.client.hasPreviousReadKeys);
      again.client.discardPreviousReadKeys();
      assert.not.ok(again.client.hasPreviousReadKeys);
    });

    s('ACK of a new-key packet inside an old-key packet is KEY_UPDATE_ERROR', () => {
      const { client } = pair();
      client.initiateKeyUpdate();
      client.protect(shortHeader(20), text('n'), PN_OFFSET, 20);
      client.checkAckKeyPhase(1, 25);
      client.checkAckKeyPhase(0, 19);
      throwsCode(() => client.checkAckKeyPhase(0, 20), 'KEY_UPDATE_ERROR');
    });

    s('long headers are refused', () => {
      const { client } = pair();
      const long = Uint8Array.of(0xc0, 0, 0, 0, 1, 0, 0, 0);
      throwsCode(() => client.protect(long, text('l'), 7, 0), 'BAD_ARGUMENT');
      throwsCode(() => client.unprotect(new Uint8Array(40).fill(0xc0), 7), 'BAD_ARGUMENT');
      throwsCode(() => client.unprotect(new Uint8Array(0), 1), 'BAD_ARGUMENT');
      throwsCode(() => client.protect(new Uint8Array(0), text('l'), 1, 0), 'BAD_ARGUMENT');
    });

    s.run();
  }
}

const rfc = suite('key update / RFC vectors');
rfc('the RFC ChaCha20 "ku" secret is the write secret after one update (v1 and v2)', () => {
  for (const [file, version] of [['vectors-rfc9001.json', QuicVersion.V1], ['vectors-rfc9369.json', QuicVersion.V2]] as const) {
    const c = loadVectors(file).chacha20_short_header;
    for (const provider of providers) {
      const m = new KeyPhaseManager(quicCipherSuite(0x1303), hex(c.secret), hex(c.secret), { version, provider });
      m.initiateKeyUpdate();
      assert.is(toHex(m.writeSecret), c.ku);
      assert.is(m.version, version);
    }
  }
});
rfc.run();
