/**
 * RFC 9001 Appendix A and RFC 9369 Appendix A: every value of both vector files, with both crypto providers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { hkdfLabel } from '@quichs/tls-hs';
import {
  INITIAL_CIPHER_SUITE,
  KeyPhaseManager,
  PacketAead,
  PacketProtector,
  derivePacketKeys,
  headerProtectionMask,
  initialKeys,
  initialSecret,
  nextTrafficSecret,
  quicCipherSuite,
  quicVersionParams,
  retryIntegrityTag,
  verifyRetryIntegrity,
} from '../src/index.js';
import { hex, loadVectors, longHeaderPnOffset, providers, toHex } from './helpers.js';

const files = ['vectors-rfc9001.json', 'vectors-rfc9369.json'] as const;

for (const file of files) {
  const v = loadVectors(file);
  const version = parseInt(v.constants.version, 16);
  const dcid = hex(v.constants.client_dst_connection_id);
  const params = quicVersionParams(version);

  for (const provider of providers) {
    const s = suite(`${file} / ${provider.name}`);

    s('version constants', () => {
      assert.is(params.version, version);
      assert.is(toHex(params.initialSalt), v.constants.initial_salt);
      assert.is(toHex(params.retryKey), v.constants.retry_integrity_key);
      assert.is(toHex(params.retryNonce), v.constants.retry_integrity_nonce);
    });

    s('HkdfLabel structures for the Initial labels', () => {
      const labels = v.keys.hkdf_labels;
      assert.is(Object.keys(labels).length, 5);
      const lengths: Record<string, number> = { 'client in': 32, 'server in': 32 };
      for (const [label, expected] of Object.entries(labels)) {
        const usesVersionLabel = label.startsWith('quic');
        if (usesVersionLabel) {
          const kind = label.split(' ')[1] as 'key' | 'iv' | 'hp';
          const versionLabel = { key: params.keyLabel, iv: params.ivLabel, hp: params.hpLabel }[kind];
          assert.is(versionLabel, label);
          lengths[label] = kind === 'iv' ? 12 : 16;
        }
        assert.is(toHex(hkdfLabel(lengths[label], label, new Uint8Array(0))), expected, label);
      }
    });

    s('initial secret and client/server keys', () => {
      assert.is(toHex(initialSecret(version, dcid, provider)), v.keys.initial_secret);
      const k = initialKeys(version, dcid, provider);
      assert.is(toHex(k.client.secret), v.keys.client_initial_secret);
      assert.is(toHex(k.client.key), v.keys.client_key);
      assert.is(toHex(k.client.iv), v.keys.client_iv);
      assert.is(toHex(k.client.hp), v.keys.client_hp);
      assert.is(toHex(k.server.secret), v.keys.server_initial_secret);
      assert.is(toHex(k.server.key), v.keys.server_key);
      assert.is(toHex(k.server.iv), v.keys.server_iv);
      assert.is(toHex(k.server.hp), v.keys.server_hp);
    });

    s('client Initial: protect to the 1200-byte packet and back', () => {
      const ci = v.client_initial;
      const keys = initialKeys(version, dcid, provider).client;
      const sender = new PacketProtector(INITIAL_CIPHER_SUITE, keys, { provider });
      const receiver = new PacketProtector(INITIAL_CIPHER_SUITE, keys, { provider });
      const header = hex(ci.unprotected_header);
      const pnOffset = longHeaderPnOffset(header);
      assert.is(header.length - pnOffset, ci.packet_number_length);
      const payload = new Uint8Array(ci.payload_length_with_padding);
      payload.set(hex(ci.crypto_frame));
      const packet = sender.protect(header, payload, pnOffset, ci.packet_number);
      assert.is(packet.length, 1200);
      assert.is(toHex(packet), ci.protected_packet);
      assert.is(toHex(packet.subarray(0, header.length)), ci.protected_header);
      assert.is(toHex(packet.subarray(pnOffset + 4, pnOffset + 20)), ci.sample);
      assert.is(toHex(headerProtectionMask(sender.hp, packet, pnOffset).subarray(0, 5)), ci.mask);
      assert.is(toHex(packet.subarray(0, 1)), ci.header_byte0_after_mask);
      assert.is(toHex(packet.subarray(pnOffset, pnOffset + 4)), ci.packet_number_bytes_after_mask);
      assert.is(sender.sealedCount, 1);

      const got = receiver.unprotect(hex(ci.protected_packet), pnOffset, -1);
      assert.is(toHex(got.header), ci.unprotected_header);
      assert.is(got.packetNumber, ci.packet_number);
      assert.is(got.pnLength, ci.packet_number_length);
      assert.is(got.keyPhase, undefined);
      assert.is(toHex(got.payload), toHex(payload));
    });

    s('server Initial: protect and unprotect', () => {
      const si = v.server_initial;
      const keys = initialKeys(version, dcid, provider).server;
      const p = new PacketProtector(INITIAL_CIPHER_SUITE, keys, { provider });
      const header = hex(si.unprotected_header);
      const pnOffset = longHeaderPnOffset(header);
      assert.is(header.length - pnOffset, si.packet_number_length);
      const packet = p.protect(header, hex(si.payload), pnOffset, si.packet_number);
      assert.is(toHex(packet), si.protected_packet);
      assert.is(toHex(packet.subarray(0, header.length)), si.protected_header);
      assert.is(toHex(packet.subarray(pnOffset + 4, pnOffset + 20)), si.sample);
      assert.is(toHex(headerProtectionMask(p.hp, packet, pnOffset).subarray(0, 5)), si.mask);

      const got = p.unprotect(hex(si.protected_packet), pnOffset, 0);
      assert.is(toHex(got.header), si.unprotected_header);
      assert.is(toHex(got.payload), si.payload);
      assert.is(got.packetNumber, si.packet_number);
      assert.is(got.pnLength, si.packet_number_length);
    });

    s('Retry integrity tag', () => {
      const r = v.retry;
      const packet = hex(r.retry_packet);
      const odcid = hex(r.original_destination_connection_id);
      const tag = retryIntegrityTag(version, odcid, packet.subarray(0, packet.length - 16), provider);
      assert.is(tag.length, 16);
      assert.is(toHex(tag), r.integrity_tag);
      assert.is(toHex(packet.subarray(packet.length - 16)), r.integrity_tag);
      assert.ok(verifyRetryIntegrity(version, odcid, packet, provider));
    });

    s('ChaCha20-Poly1305 short header: keys, ku, nonce, protect and unprotect', () => {
      const c = v.chacha20_short_header;
      assert.is(c.aead, 'AEAD_CHACHA20_POLY1305');
      const cs = quicCipherSuite(0x1303);
      const secret = hex(c.secret);
      const keys = derivePacketKeys(cs, secret, version, provider);
      assert.is(toHex(keys.key), c.key);
      assert.is(toHex(keys.iv), c.iv);
      assert.is(toHex(keys.hp), c.hp);
      assert.is(toHex(nextTrafficSecret(cs, secret, version, provider)), c.ku);
      assert.is(toHex(new PacketAead(cs, keys.key, keys.iv, provider).nonceFor(c.packet_number)), c.nonce);

      const p = new PacketProtector(cs, keys, { provider });
      const header = hex(c.unprotected_header);
      assert.is(header.length - 1, c.packet_number_length);
      const packet = p.protect(header, hex(c.payload_plaintext), 1, c.packet_number);
      assert.is(toHex(packet), c.protected_packet);
      assert.is(toHex(packet.subarray(0, 4)), c.protected_header);
      assert.is(toHex(packet.subarray(4)), c.payload_ciphertext);
      assert.is(toHex(packet.subarray(5, 21)), c.sample);
      assert.is(toHex(headerProtectionMask(p.hp, packet, 1).subarray(0, 5)), c.mask);

      const got = p.unprotect(hex(c.protected_packet), 1, c.packet_number - 1);
      assert.is(toHex(got.header), c.unprotected_header);
      assert.is(toHex(got.payload), c.payload_plaintext);
      assert.is(got.packetNumber, c.packet_number);
      assert.is(got.pnLength, 3);
      assert.is(got.keyPhase, 0);
    });

    s('ChaCha20 short header through the 1-RTT key-phase manager', () => {
      const c = v.chacha20_short_header;
      const secret = hex(c.secret);
      const m = new KeyPhaseManager(quicCipherSuite(0x1303), secret, secret, { version, provider });
      const packet = m.protect(hex(c.unprotected_header), hex(c.payload_plaintext), 1, c.packet_number);
      assert.is(toHex(packet), c.protected_packet);
      const got = m.unprotect(packet, 1, c.packet_number - 100);
      assert.is(got.packetNumber, c.packet_number);
      assert.is(toHex(got.payload), c.payload_plaintext);
      assert.is(got.keyUpdated, false);
    });

    s.run();
  }
}
