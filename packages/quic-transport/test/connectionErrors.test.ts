/**
 * Bad input against the Connection: every malformed frame, frame in a packet type it may not appear in, stream and
 * flow-control violation, bad ACK, connection ID misuse and bad transport parameter closes with the right transport
 * error (RFC 9000 §20) — never an exception out of receive(). Packets are made by hand with the peer's real keys
 * (recovered from the key log), so they pass decryption and reach frame processing.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createTlsEngine } from '@quichs/tls-hs';
import {
  encodeTransportParameters,
  FrameType,
  MemoryQlogSink,
  QUIC_VERSION_1,
  TransportErrorCode,
  type Connection,
  type Frame,
} from '../src/index.js';
import { acceptPeerTransportParameters } from '../src/connection/transportParameterNegotiation.js';
import { CLIENT_ADDRESS, clientTls, createPair, provider, SERVER_ADDRESS, type Pair } from './support/quicFixtures.js';
import { clientInitialProtector, payloadOf, protectorFromSecret, sealLong, sealShort, secretsFromKeylog } from './support/rawPackets.js';

const s = suite('connectionErrors');

interface Setup {
  pair: Pair;
  server: Connection;
  inject: (payload: Uint8Array, opts?: { pn?: number; firstByteOr?: number; dcid?: Uint8Array }) => void;
  /** The connection IDs the server issued in NEW_CONNECTION_ID frames (from the client's qlog). */
  issued: () => Uint8Array[];
}

/** A confirmed connection and a way to send the server 1-RTT packets protected with the client's keys. */
function established(serverOptions: Parameters<typeof createPair>[0] = {}): Setup {
  const lines: string[] = [];
  const qlog = new MemoryQlogSink();
  const pair = createPair({ ...serverOptions, client: { ...serverOptions.client, keylog: (l) => lines.push(l), qlog } });
  assert.ok(pair.handshake());
  pair.net.run(() => pair.client.handshakeConfirmedState, { maxTime: 2000 });
  pair.net.advance(200);
  const server = pair.server();
  const protector = protectorFromSecret(secretsFromKeylog(lines).get('CLIENT_TRAFFIC_SECRET_0')!, QUIC_VERSION_1);
  const dcid = server.localTransportParameters.initialSourceConnectionId!;
  let pn = 1 << 20;
  return {
    pair,
    server,
    inject: (payload, opts = {}) => {
      const packet = sealShort({ dcid: opts.dcid ?? dcid, pn: opts.pn ?? pn++, protector, payload, firstByteOr: opts.firstByteOr });
      pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, packet);
      pair.net.run(() => server.isClosed, { maxTime: 500 });
    },
    issued: () =>
      qlog.events
        .filter((e) => e.name === 'transport:packet_received')
        .flatMap((e) => (e.data.frames as { frame_type: string; connection_id?: string }[]).filter((f) => f.frame_type === 'new_connection_id'))
        .map((f) => Uint8Array.from(Buffer.from(f.connection_id!, 'hex'))),
  };
}

function expectClose(setup: Setup, code: number, frameType?: number): void {
  const err = setup.server.closeError;
  assert.ok(err !== undefined, 'the server closed');
  assert.is(err!.code, code, err!.message);
  if (frameType !== undefined) assert.is(err!.frameType, frameType, err!.message);
  // the CONNECTION_CLOSE reaches the client with the same code
  setup.pair.net.run(() => setup.pair.client.isClosed, { maxTime: 1000 });
  assert.is(setup.pair.client.closeError?.code, code);
  assert.ok(setup.pair.client.closeError?.remote);
}

const raw = (...bytes: number[]) => Uint8Array.from(bytes);
const stream = (streamId: number, offset: number, data: Uint8Array, fin = false): Frame => ({ type: FrameType.STREAM, streamId, offset, data, fin });

const cases: [string, () => Uint8Array, number, number?][] = [
  ['unknown frame type 0x21', () => raw(0x21, 0, 0, 0), TransportErrorCode.FRAME_ENCODING_ERROR, 0x21],
  ['truncated STREAM frame', () => raw(0x0a, 0x00, 0x10, 1, 2), TransportErrorCode.FRAME_ENCODING_ERROR, 0x0a],
  ['frame type not minimally encoded (PING as 0x4001)', () => raw(0x40, 0x01, 0, 0), TransportErrorCode.PROTOCOL_VIOLATION],
  ['HANDSHAKE_DONE from a client', () => payloadOf([{ type: FrameType.HANDSHAKE_DONE }, { type: FrameType.PADDING, length: 3 }]), TransportErrorCode.PROTOCOL_VIOLATION, 0x1e],
  ['NEW_TOKEN from a client', () => payloadOf([{ type: FrameType.NEW_TOKEN, token: raw(1, 2, 3) }]), TransportErrorCode.PROTOCOL_VIOLATION, 0x07],
  ['DATAGRAM without max_datagram_frame_size', () => payloadOf([{ type: FrameType.DATAGRAM, data: raw(1, 2, 3) }]), TransportErrorCode.PROTOCOL_VIOLATION],
  ['STREAM on the server\'s own unidirectional stream', () => payloadOf([stream(3, 0, raw(1))]), TransportErrorCode.STREAM_STATE_ERROR],
  ['STREAM on a server bidi stream never opened', () => payloadOf([stream(1, 0, raw(1))]), TransportErrorCode.STREAM_STATE_ERROR],
  ['STREAM beyond the peer\'s MAX_STREAMS', () => payloadOf([stream(4 * 100, 0, raw(1))]), TransportErrorCode.STREAM_LIMIT_ERROR],
  ['STREAM beyond the stream flow-control window', () => payloadOf([stream(0, 1024 * 1024, raw(1))]), TransportErrorCode.FLOW_CONTROL_ERROR],
  [
    'STREAM data beyond the connection window over several streams',
    () => payloadOf(Array.from({ length: 9 }, (_, i) => stream(4 * i, 1024 * 1024 - 1, raw(1)))),
    TransportErrorCode.FLOW_CONTROL_ERROR,
  ],
  ['final size changed', () => payloadOf([stream(0, 0, raw(1, 2), true), stream(0, 0, raw(1, 2, 3), true)]), TransportErrorCode.FINAL_SIZE_ERROR],
  ['RESET_STREAM below the received data', () => payloadOf([stream(0, 0, raw(1, 2, 3)), { type: FrameType.RESET_STREAM, streamId: 0, errorCode: 1, finalSize: 1 }]), TransportErrorCode.FINAL_SIZE_ERROR],
  ['MAX_STREAMS above 2^60', () => raw(0x12, 0xd0, 0, 0, 0, 0, 0, 0, 1), TransportErrorCode.FRAME_ENCODING_ERROR],
  ['ACK of a packet number never sent', () => payloadOf([{ type: FrameType.ACK, largest: 1_000_000, ackDelay: 0, ranges: [{ smallest: 1_000_000, largest: 1_000_000 }] }]), TransportErrorCode.PROTOCOL_VIOLATION],
  ['RETIRE_CONNECTION_ID for a sequence number never issued', () => payloadOf([{ type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: 50 }]), TransportErrorCode.PROTOCOL_VIOLATION, 0x19],
  [
    'NEW_CONNECTION_ID beyond active_connection_id_limit',
    () =>
      payloadOf(
        Array.from({ length: 5 }, (_, i) => ({
          type: FrameType.NEW_CONNECTION_ID,
          sequenceNumber: i + 10,
          retirePriorTo: 0,
          connectionId: Uint8Array.from([9, 9, 9, 9, 9, 9, 9, i]),
          statelessResetToken: new Uint8Array(16).fill(i),
        })) as Frame[],
      ),
    TransportErrorCode.CONNECTION_ID_LIMIT_ERROR,
    0x18,
  ],
  ['CRYPTO data in 1-RTT that is not a valid post-handshake message', () => payloadOf([{ type: FrameType.CRYPTO, offset: 0, data: raw(4, 0, 0, 1, 0) }]), TransportErrorCode.CRYPTO_ERROR + 10],
  ['CRYPTO beyond the 64 KiB reassembly limit', () => payloadOf([{ type: FrameType.CRYPTO, offset: 70_000, data: raw(1) }]), TransportErrorCode.CRYPTO_BUFFER_EXCEEDED, 0x06],
];

for (const [name, payload, code, frameType] of cases) {
  s(`${name} → ${code.toString(16)}`, () => {
    const setup = established();
    setup.inject(payload());
    expectClose(setup, code, frameType);
  });
}

s('the peer retires our first connection ID (as quic-go does): packets to the new IDs still parse (regression)', () => {
  const setup = established();
  const [next] = setup.issued();
  assert.ok(next !== undefined, 'the server issued NEW_CONNECTION_IDs');
  const before = setup.server.stats().packetsReceived;
  setup.inject(payloadOf([{ type: FrameType.RETIRE_CONNECTION_ID, sequenceNumber: 0 }, { type: FrameType.PING }]), { dcid: next });
  setup.inject(payloadOf([{ type: FrameType.PING }, { type: FrameType.PADDING, length: 3 }]), { dcid: next });
  setup.pair.net.advance(50);
  assert.not.ok(setup.server.isClosed, setup.server.closeError?.message);
  assert.is(setup.server.stats().packetsReceived, before + 2);
  assert.not.ok(setup.pair.serverCore.isRouted(setup.server.localTransportParameters.initialSourceConnectionId!), 'seq 0 no longer routes');
});

s('reserved header bits set after removing protection → PROTOCOL_VIOLATION', () => {
  const setup = established();
  setup.inject(payloadOf([{ type: FrameType.PING }, { type: FrameType.PADDING, length: 3 }]), { firstByteOr: 0x18 });
  expectClose(setup, TransportErrorCode.PROTOCOL_VIOLATION);
});

s('garbage, truncated and undecryptable datagrams are dropped without closing', () => {
  const setup = established();
  const dcid = setup.server.localTransportParameters.initialSourceConnectionId!;
  for (const d of [raw(0x40, ...dcid, 1, 2), new Uint8Array(60).fill(0x41), raw(0xc0, 0, 0, 0, 1, 8, ...dcid, 0, 0x44, 0x00)]) {
    setup.pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, d);
  }
  setup.pair.net.advance(100);
  assert.not.ok(setup.server.isClosed);
  assert.ok(setup.server.stats().packetsDropped >= 1);
});

s('frames in a packet type they may not appear in: STREAM in an Initial → PROTOCOL_VIOLATION', () => {
  const pair = createPair({ deferConnect: true });
  const dcid = provider.randomBytes(8);
  const scid = provider.randomBytes(8);
  const packet = sealLong({
    version: QUIC_VERSION_1,
    type: 'initial',
    dcid,
    scid,
    pn: 0,
    protector: clientInitialProtector(QUIC_VERSION_1, dcid),
    payload: payloadOf([stream(0, 0, raw(1, 2, 3))]),
    padTo: 1200,
  });
  pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, packet);
  pair.net.advance(50);
  assert.is(pair.servers.length, 1);
  assert.is(pair.server().closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(pair.server().closeError?.frameType, 0x0a, 'the frame type as sent (STREAM with LEN)');
});

s('an Initial in a datagram under 1200 bytes is dropped (RFC 9000 §14.1)', () => {
  const pair = createPair({ deferConnect: true });
  const dcid = provider.randomBytes(8);
  const packet = sealLong({ version: QUIC_VERSION_1, type: 'initial', dcid, scid: provider.randomBytes(8), pn: 0, protector: clientInitialProtector(QUIC_VERSION_1, dcid), payload: payloadOf([{ type: FrameType.PING }]), padTo: 600 });
  pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, packet);
  pair.net.advance(50);
  assert.is(pair.servers.length, 0);
  assert.ok((pair.serverCore.stats.dropped.initial_too_small ?? 0) >= 1);
});

/** A hand-made client: a real TLS engine with chosen transport parameters, its ClientHello in one Initial. */
function fakeClient(tp: Uint8Array, version = QUIC_VERSION_1): { pair: Pair } {
  const pair = createPair({ deferConnect: true });
  const tls = createTlsEngine('client', { ...clientTls({ groups: ['x25519'], keyShares: ['x25519'] }), quic: true, transportParameters: tp });
  const ch = tls.handshake(null).out;
  const dcid = provider.randomBytes(8);
  const scid = provider.randomBytes(8);
  const packet = sealLong({ version, type: 'initial', dcid, scid, pn: 0, protector: clientInitialProtector(version, dcid), payload: payloadOf([{ type: FrameType.CRYPTO, offset: 0, data: ch }]), padTo: 1200 });
  pair.net.inject(CLIENT_ADDRESS, SERVER_ADDRESS, packet);
  pair.net.advance(50);
  return { pair };
}

/** Raw transport parameter bytes: [id, value] pairs. */
function rawParams(...params: [number, Uint8Array][]): Uint8Array {
  const out: number[] = [];
  for (const [id, v] of params) out.push(id, v.length, ...v);
  return Uint8Array.from(out);
}

s('transport parameters from a client: missing initial_source_connection_id → TRANSPORT_PARAMETER_ERROR', () => {
  const { pair } = fakeClient(encodeTransportParameters({ initialMaxData: 1000 }));
  assert.is(pair.server().closeError?.code, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
});

s('transport parameters from a client: initial_source_connection_id not the packet SCID → PROTOCOL_VIOLATION', () => {
  const { pair } = fakeClient(encodeTransportParameters({ initialSourceConnectionId: raw(1, 2, 3, 4) }));
  assert.is(pair.server().closeError?.code, TransportErrorCode.PROTOCOL_VIOLATION);
});

s('transport parameters from a client: a server-only parameter, a bad value → TRANSPORT_PARAMETER_ERROR', () => {
  for (const tp of [
    rawParams([0x00, raw(1, 2, 3, 4)]), // original_destination_connection_id
    rawParams([0x0a, raw(21)]), // ack_delay_exponent > 20
    rawParams([0x03, raw(0x44, 0x00)]), // max_udp_payload_size 1024 < 1200
    rawParams([0x0e, raw(1)]), // active_connection_id_limit < 2
    rawParams([0x01, raw(1)], [0x01, raw(1)]), // duplicate
  ]) {
    const { pair } = fakeClient(tp);
    assert.is(pair.server().closeError?.code, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  }
});

s('version_information whose chosen version is not the Initial\'s → VERSION_NEGOTIATION_ERROR', () => {
  const tp = (scid: Uint8Array) => encodeTransportParameters({ initialSourceConnectionId: scid, versionInformation: { chosenVersion: 0x6b3343cf, availableVersions: [0x6b3343cf] } });
  const pair = createPair({ deferConnect: true });
  const scid = provider.randomBytes(8);
  const tls = createTlsEngine('client', { ...clientTls({ groups: ['x25519'], keyShares: ['x25519'] }), quic: true, transportParameters: tp(scid) });
  const dcid = provider.randomBytes(8);
  pair.net.inject(
    CLIENT_ADDRESS,
    SERVER_ADDRESS,
    sealLong({ version: QUIC_VERSION_1, type: 'initial', dcid, scid, pn: 0, protector: clientInitialProtector(QUIC_VERSION_1, dcid), payload: payloadOf([{ type: FrameType.CRYPTO, offset: 0, data: tls.handshake(null).out }]), padTo: 1200 }),
  );
  pair.net.advance(50);
  assert.is(pair.server().closeError?.code, TransportErrorCode.VERSION_NEGOTIATION_ERROR);
});

s('client-side transport parameter checks (RFC 9000 §7.3): ODCID, retry_source_connection_id, version_information', () => {
  const odcid = raw(1, 1, 1, 1, 1, 1, 1, 1);
  const iscid = raw(2, 2, 2, 2);
  const ctx = { role: 'client' as const, peerInitialSourceConnectionId: iscid, originalDestinationConnectionId: odcid, version: QUIC_VERSION_1, versions: [QUIC_VERSION_1], afterVersionNegotiation: false };
  const code = (tp: Uint8Array, extra: Partial<typeof ctx> & { retrySourceConnectionId?: Uint8Array } = {}) => {
    try {
      acceptPeerTransportParameters(tp, { ...ctx, ...extra });
      return 0;
    } catch (e) {
      return (e as { code: number }).code;
    }
  };
  const good = { originalDestinationConnectionId: odcid, initialSourceConnectionId: iscid };
  assert.is(code(encodeTransportParameters(good)), 0);
  assert.is(code(encodeTransportParameters({ ...good, originalDestinationConnectionId: raw(9) })), TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(code(encodeTransportParameters({ initialSourceConnectionId: iscid })), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(code(encodeTransportParameters({ ...good, retrySourceConnectionId: raw(3) })), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(code(encodeTransportParameters(good), { retrySourceConnectionId: raw(3) }), TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  assert.is(code(encodeTransportParameters({ ...good, retrySourceConnectionId: raw(4) }), { retrySourceConnectionId: raw(3) }), TransportErrorCode.PROTOCOL_VIOLATION);
  assert.is(code(encodeTransportParameters({ ...good, versionInformation: { chosenVersion: 0x6b3343cf, availableVersions: [1] } })), TransportErrorCode.VERSION_NEGOTIATION_ERROR);
  assert.is(code(encodeTransportParameters(good), { afterVersionNegotiation: true }), TransportErrorCode.VERSION_NEGOTIATION_ERROR);
});

s.run();
