/**
 * Address validation and version negotiation on the memory network: Retry (valid, tampered, forged and stale
 * tokens), NEW_TOKEN, Version Negotiation (restart, abandon, downgrade detection), compatible version negotiation
 * (RFC 9368), anti-amplification (RFC 9000 §8.1), stateless reset and path validation after a NAT rebinding.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  AddressTokenMinter,
  buildVersionNegotiation,
  parsePacketHeader,
  QUIC_VERSION_1,
  QUIC_VERSION_2,
  StatelessResetTokenGenerator,
  TransportErrorCode,
  Connection,
  EndpointCore,
} from '../src/index.js';
import { CLIENT_ADDRESS, createPair, drainEvents, provider, SERVER_ADDRESS, serverTls } from './support/quicFixtures.js';
import { pattern, sameBytes, transfer } from './support/transfer.js';

const s = suite('connectionNegotiation');

function longVersion(d: Uint8Array): number | undefined {
  return d[0] & 0x80 ? new DataView(d.buffer, d.byteOffset).getUint32(1) : undefined;
}

s('Retry: the client answers with the token and the new DCID; retry_source_connection_id is checked', () => {
  const pair = createPair({ serverEndpoint: { retry: true } });
  assert.ok(pair.handshake());
  assert.ok(pair.serverCore.stats.retrySent >= 1);
  const tp = pair.client.peerTransportParameters;
  assert.ok(tp?.retrySourceConnectionId !== undefined);
  assert.ok(pair.server().amplificationCounters.validated, 'a Retry token validates the address');
  const data = pattern(100_000);
  assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), data).received, data));
});

s('a Retry with a bad integrity tag is ignored; the next one is used', () => {
  const pair = createPair({ serverEndpoint: { retry: true } });
  let tampered = 0;
  pair.net.tap = (d) => {
    const h = parsePacketHeader(d.data, 0, { shortDcidLength: 8 });
    if (h.kind === 'retry' && tampered === 0) {
      tampered++;
      const copy = Uint8Array.from(d.data);
      copy[copy.length - 1] ^= 1;
      return copy;
    }
    return d.data;
  };
  assert.ok(pair.handshake());
  assert.is(tampered, 1);
  assert.ok(pair.client.stats().packetsDropped >= 1);
});

s('a forged Retry token gets INVALID_TOKEN; so does an expired one', () => {
  for (const kind of ['forged', 'expired'] as const) {
    const minter = new AddressTokenMinter({ provider, retryLifetimeMs: 10_000 });
    const pair = createPair({ deferConnect: true, serverEndpoint: { retry: true, tokens: minter } });
    const token =
      kind === 'forged'
        ? Uint8Array.from([0x52, ...provider.randomBytes(60)])
        : minter.mintRetryToken(CLIENT_ADDRESS, provider.randomBytes(8), provider.randomBytes(8), pair.net.now - 60_000, QUIC_VERSION_1);
    const client = pair.connect({ token });
    pair.net.run(() => client.isClosed, { maxTime: 5000 });
    assert.is(client.closeError?.code, TransportErrorCode.INVALID_TOKEN, kind);
    assert.ok(client.closeError?.remote);
    assert.is(pair.serverCore.stats.initialClosesSent >= 1, true);
    assert.is(pair.servers.length, 0);
  }
});

s('NEW_TOKEN: the server issues one; a later connection with it skips the Retry and the amplification limit', () => {
  const minter = new AddressTokenMinter({ provider });
  const pair = createPair({ serverEndpoint: { retry: true, tokens: minter } });
  assert.ok(pair.handshake());
  let token: Uint8Array | undefined;
  pair.net.run(() => token !== undefined, {
    maxTime: 2000,
    onStep: () => {
      for (const e of drainEvents(pair.client)) if (e?.type === 'newToken') token = e.token;
    },
  });
  assert.ok(token !== undefined && token[0] === 0x4e, 'a NEW_TOKEN token');
  const retries = pair.serverCore.stats.retrySent;
  const second = pair.connect({ token });
  pair.net.run(() => second.handshakeComplete, { maxTime: 5000 });
  assert.ok(second.handshakeComplete);
  assert.is(pair.serverCore.stats.retrySent, retries, 'no Retry for a valid NEW_TOKEN token');
  assert.ok(pair.servers[1].amplificationCounters.validated);
});

s('NEW_TOKEN tokens are bound to the negotiated version (RFC 9369 §5): not sent on a connection of another version', () => {
  const versions = [QUIC_VERSION_2, QUIC_VERSION_1];
  const minter = new AddressTokenMinter({ provider });
  // the first connection starts in v1 and is switched to v2 (compatible negotiation): its token is a v2 token
  const pair = createPair({ serverEndpoint: { retry: true, tokens: minter, versions }, server: { versions }, client: { version: QUIC_VERSION_1 } });
  assert.ok(pair.handshake());
  assert.is(pair.client.quicVersion, QUIC_VERSION_2);
  let got: { token: Uint8Array; version: number } | undefined;
  pair.net.run(() => got !== undefined, {
    maxTime: 2000,
    onStep: () => {
      for (const e of drainEvents(pair.client)) if (e?.type === 'newToken') got = { token: e.token, version: e.version };
    },
  });
  assert.ok(got !== undefined);
  assert.is(got.version, QUIC_VERSION_2, 'the token maps to the negotiated version');
  const initialTokens: number[] = [];
  pair.net.tap = (d) => {
    const h = parsePacketHeader(d.data, 0, { shortDcidLength: 8 });
    if (d.from.port === CLIENT_ADDRESS.port && h.kind === 'long' && h.type === 'initial') initialTokens.push(h.token.length);
    return d.data;
  };
  // a v1 connection with the v2 token: the token stays home, the server asks for a Retry
  const retries = pair.serverCore.stats.retrySent;
  const v1 = pair.connect({ version: QUIC_VERSION_1, token: got.token, tokenVersion: got.version });
  pair.net.run(() => v1.handshakeComplete, { maxTime: 5000 });
  assert.ok(v1.handshakeComplete);
  assert.is(initialTokens[0], 0, 'no token in the first v1 Initial');
  assert.ok(pair.serverCore.stats.retrySent > retries, 'a Retry (one per Initial datagram of the first flight)');
  // a v2 connection uses it and skips the Retry
  initialTokens.length = 0;
  const retriesBefore = pair.serverCore.stats.retrySent;
  const v2 = pair.connect({ version: QUIC_VERSION_2, token: got.token, tokenVersion: got.version });
  pair.net.run(() => v2.handshakeComplete, { maxTime: 5000 });
  assert.ok(v2.handshakeComplete);
  assert.ok(initialTokens[0] > 0, 'the v2 Initial carries the token');
  assert.is(pair.serverCore.stats.retrySent, retriesBefore, 'no Retry for the v2 connection');
  assert.ok(pair.servers[pair.servers.length - 1].amplificationCounters.validated);
});

s('Version Negotiation: a v2-only server makes a v1 client restart with v2', () => {
  const pair = createPair({ serverEndpoint: { versions: [QUIC_VERSION_2] }, client: { versions: [QUIC_VERSION_1, QUIC_VERSION_2] } });
  assert.ok(pair.handshake());
  assert.ok(pair.serverCore.stats.versionNegotiationSent >= 1); // one per Initial datagram of the first flight
  assert.is(pair.client.quicVersion, QUIC_VERSION_2);
  assert.is(pair.server().quicVersion, QUIC_VERSION_2);
  const data = pattern(50_000);
  assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), data).received, data));
});

s('Version Negotiation without a common version abandons the attempt with VERSION_NEGOTIATION_ERROR', () => {
  const pair = createPair({ serverEndpoint: { versions: [QUIC_VERSION_2] }, client: { versions: [QUIC_VERSION_1] } });
  pair.net.run(() => pair.client.isClosed, { maxTime: 3000 });
  assert.is(pair.client.closeError?.code, TransportErrorCode.VERSION_NEGOTIATION_ERROR);
  assert.ok(pair.client.isDrained());
  assert.is(pair.servers.length, 0);
});

s('a forged Version Negotiation packet (downgrade) is detected through version_information', () => {
  // The server supports both (preferring v2, so it does not switch a v2 client back); the client prefers v1.
  const pair = createPair({
    deferConnect: true,
    serverEndpoint: { versions: [QUIC_VERSION_2, QUIC_VERSION_1] },
    client: { versions: [QUIC_VERSION_1, QUIC_VERSION_2] },
  });
  let forged = false;
  pair.net.tap = (d) => {
    const h = parsePacketHeader(d.data, 0, { shortDcidLength: 8 });
    if (!forged && h.kind === 'long' && h.type === 'initial' && h.version === QUIC_VERSION_1 && d.from.port === CLIENT_ADDRESS.port) {
      forged = true;
      // an attacker answers the first Initial with a VN packet that omits v1
      pair.net.inject(SERVER_ADDRESS, CLIENT_ADDRESS, buildVersionNegotiation({ dcid: h.scid, scid: h.dcid, versions: [QUIC_VERSION_2], unusedBits: 0 }));
      return undefined;
    }
    return d.data;
  };
  const client = pair.connect();
  pair.net.run(() => client.isClosed, { maxTime: 5000 });
  assert.ok(forged);
  assert.is(client.quicVersion, QUIC_VERSION_2, 'the client restarted with v2');
  assert.is(client.closeError?.code, TransportErrorCode.VERSION_NEGOTIATION_ERROR);
  assert.match(client.closeError?.message ?? '', /downgrade/);
});

s('compatible version negotiation (RFC 9368): a v1 client is switched to v2 by a server preferring v2', () => {
  const versions = [QUIC_VERSION_2, QUIC_VERSION_1];
  const pair = createPair({ serverEndpoint: { versions }, server: { versions }, client: { version: QUIC_VERSION_1 } });
  const seen: string[] = [];
  pair.net.tap = (d) => {
    const v = longVersion(d.data);
    if (v !== undefined) seen.push(`${d.from.port === 443 ? 'S' : 'C'}${v === QUIC_VERSION_1 ? 1 : 2}`);
    return d.data;
  };
  assert.ok(pair.handshake());
  assert.is(pair.serverCore.stats.versionNegotiationSent, 0, 'no round trip');
  assert.is(seen[0], 'C1');
  assert.ok(seen.filter((x) => x[0] === 'S').every((x) => x === 'S2'), seen.join(' '));
  assert.ok(seen.includes('C2'), 'the client follows');
  assert.is(pair.client.quicVersion, QUIC_VERSION_2);
  assert.is(pair.server().quicVersion, QUIC_VERSION_2);
  assert.is(pair.client.peerTransportParameters?.versionInformation?.chosenVersion, QUIC_VERSION_2);
  const data = pattern(50_000);
  assert.ok(sameBytes(transfer(pair.net, pair.client, pair.server(), data).received, data));
});

s('anti-amplification: before validation the server never sends more than 3× what it received', () => {
  const big = serverTls();
  const chain = [big.cert as string, ...Array.from({ length: 6 }, () => (big.ca as string))].join('\n');
  const pair = createPair({ server: { tls: { cert: chain } }, client: { tls: { groups: ['x25519'], keyShares: ['x25519'] } } });
  let received = 0;
  let sent = 0;
  let violated = false;
  let blockClient = true;
  let clientDatagrams = 0;
  pair.net.tap = (d) => {
    if (d.from.port === CLIENT_ADDRESS.port) {
      clientDatagrams++;
      // let only the first Initial through for a while: the client's ACKs are "lost"
      if (blockClient && clientDatagrams > 1) return undefined;
      received += d.data.length;
    } else if (!(pair.servers[0]?.amplificationCounters.validated ?? false)) {
      sent += d.data.length;
      if (sent > 3 * received) violated = true;
    }
    return d.data;
  };
  pair.net.advance(3000);
  assert.not.ok(violated, `sent ${sent} for ${received}`);
  assert.ok(sent > 2 * received, `the server used its budget (${sent} of ${3 * received})`);
  assert.is(pair.server().amplificationCounters.sent, sent);
  blockClient = false;
  assert.ok(pair.handshake(20_000));
  assert.not.ok(violated);
  assert.ok(pair.server().amplificationCounters.validated);
});

s('stateless reset: a restarted server without state resets the connection; the client drains', () => {
  const resetTokens = new StatelessResetTokenGenerator({ provider, key: new Uint8Array(32).fill(9) });
  const pair = createPair({ serverEndpoint: { resetTokens } });
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  drainEvents(pair.client);
  // the server "restarts": same address and reset key, no connections
  pair.net.detach(SERVER_ADDRESS);
  const fresh = new EndpointCore({ provider, resetTokens, server: { accept: (inc) => Connection.server(inc, { provider, tls: serverTls() }) } });
  pair.net.attach(SERVER_ADDRESS, fresh);
  const id = pair.client.openStream(true);
  pair.client.writeStream(id, new Uint8Array(100));
  pair.net.run(() => pair.client.isClosed, { maxTime: 5000 });
  assert.ok(fresh.stats.statelessResetsSent >= 1);
  const ev = drainEvents(pair.client).find((e) => e?.type === 'connectionClosed');
  assert.match((ev as { error?: Error }).error?.message ?? '', /stateless reset/);
  assert.ok(pair.clientCore.stats.statelessResetsReceived >= 1);
});

s('NAT rebinding: the server validates the new path with PATH_CHALLENGE and keeps the connection', () => {
  const pair = createPair();
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  pair.net.advance(200);
  const rebound = { address: '10.0.0.9', port: 40_000 };
  pair.net.attach(rebound, pair.clientCore);
  pair.net.tap = (d) => {
    if (d.from.port === CLIENT_ADDRESS.port && d.from.address === CLIENT_ADDRESS.address) {
      pair.net.inject(rebound, d.to, d.data);
      return undefined;
    }
    return d.data;
  };
  const data = pattern(200_000, 8);
  const r = transfer(pair.net, pair.client, pair.server(), data);
  assert.ok(r.completed);
  assert.ok(sameBytes(r.received, data));
  assert.equal(pair.server().remote, rebound);
  assert.ok(pair.server().amplificationCounters.validated);
});

s.run();
