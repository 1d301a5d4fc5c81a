/**
 * A client may start with a reserved version (0x?a?a?a?a, RFC 9000 §15) to provoke Version Negotiation — the
 * quic-interop-runner "versionnegotiation" case, found missing by our interop runner. Its first Initial carries the
 * reserved number in the Version field and is protected and typed like QUIC v1 (as ngtcp2 and quic-go do); the
 * server answers with Version Negotiation and the client restarts in v1.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parsePacketHeader, QUIC_VERSION_1 } from '../src/index.js';
import { CLIENT_ADDRESS, createPair } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connectionReservedVersion');
const RESERVED = 0x1a2a3a4a;

s('a client starting with a reserved version gets Version Negotiation and completes the handshake in v1', () => {
  const pair = createPair({ deferConnect: true });
  const firstVersions: number[] = [];
  pair.net.tap = (d) => {
    const h = parsePacketHeader(d.data, 0, { shortDcidLength: 8 });
    if (d.from.port === CLIENT_ADDRESS.port && h.kind === 'unknownVersion') firstVersions.push(h.version);
    return d.data;
  };
  const client = pair.connect({ version: RESERVED, versions: [QUIC_VERSION_1] });
  assert.ok(pair.handshake());
  assert.ok(firstVersions.length > 0 && firstVersions.every((v) => v === RESERVED), 'the first Initials carry the reserved version');
  assert.ok(pair.serverCore.stats.versionNegotiationSent >= 1);
  assert.is(client.quicVersion, QUIC_VERSION_1);
  assert.is(pair.server().quicVersion, QUIC_VERSION_1);
  const data = pattern(20_000);
  assert.ok(sameBytes(transfer(pair.net, client, pair.server(), data).received, data));
});

s.run();
