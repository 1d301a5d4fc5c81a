import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import type { TransportParameters } from '../src/index.js';
import {
  decodeTransportParameters,
  defaultTransportParameters,
  encodeTransportParameters,
  QuicError,
  QuicWriter,
  TransportErrorCode,
  TransportParameterId,
  validateConnectionIds,
} from '../src/index.js';
import v1 from './fixtures/vectors-rfc9001.json' with { type: 'json' };

const hex = (s: string): Uint8Array => Uint8Array.from(Buffer.from(s, 'hex'));
const TPE = TransportErrorCode.TRANSPORT_PARAMETER_ERROR;

function err(fn: () => unknown): QuicError {
  try {
    fn();
  } catch (e) {
    assert.instance(e, QuicError);
    return e as QuicError;
  }
  throw new Error('expected a QuicError');
}

/** One raw parameter: id, value. */
function raw(...params: [number, Uint8Array][]): Uint8Array {
  const w = new QuicWriter();
  for (const [id, value] of params) w.varint(id).varintBytes(value);
  return w.finish();
}
const vint = (n: number): Uint8Array => new QuicWriter().varint(n).finish();

const s = suite('transportParameters');

s('decodes the RFC 9001 A.2 ClientHello transport parameters', () => {
  const crypto = v1.client_initial.crypto_frame;
  const at = crypto.indexOf('00390032');
  assert.ok(at > 0);
  const body = hex(crypto.slice(at + 8, at + 8 + 0x32 * 2));
  const p = decodeTransportParameters(body, 'client');
  assert.is(p.initialMaxData, Number.MAX_SAFE_INTEGER); // 2^62-1 on the wire, clamped
  assert.is(p.initialMaxStreamDataBidiLocal, 65535);
  assert.is(p.initialMaxStreamDataBidiRemote, 65535);
  assert.is(p.initialMaxStreamDataUni, 65535);
  assert.is(p.initialMaxStreamsBidi, 16);
  assert.is(p.initialMaxStreamsUni, 16);
  assert.is(p.maxIdleTimeout, 30000);
  assert.is(Buffer.from(p.initialSourceConnectionId!).toString('hex'), '8394c8f03e515708');
  assert.is(p.ackDelayExponent, 3);
  assert.is(p.maxAckDelay, 25);
  assert.is(p.activeConnectionIdLimit, 2);
  assert.is(p.maxUdpPayloadSize, 65527);
});

s('every parameter round-trips (server)', () => {
  const full: TransportParameters = {
    originalDestinationConnectionId: hex('0102030405060708'),
    maxIdleTimeout: 30000,
    statelessResetToken: new Uint8Array(16).fill(1),
    maxUdpPayloadSize: 1452,
    initialMaxData: 1 << 20,
    initialMaxStreamDataBidiLocal: 1000,
    initialMaxStreamDataBidiRemote: 2000,
    initialMaxStreamDataUni: 3000,
    initialMaxStreamsBidi: 100,
    initialMaxStreamsUni: 2 ** 50,
    ackDelayExponent: 10,
    maxAckDelay: 2 ** 14 - 1,
    disableActiveMigration: true,
    preferredAddress: {
      ipv4Address: hex('c0000201'),
      ipv4Port: 443,
      ipv6Address: new Uint8Array(16).fill(0x20),
      ipv6Port: 8443,
      connectionId: hex('aabbccdd'),
      statelessResetToken: new Uint8Array(16).fill(2),
    },
    activeConnectionIdLimit: 8,
    initialSourceConnectionId: hex('11'),
    retrySourceConnectionId: new Uint8Array(0),
    maxDatagramFrameSize: 65535,
    greaseQuicBit: true,
    versionInformation: { chosenVersion: 1, availableVersions: [0x6b3343cf, 1] },
  };
  const wire = encodeTransportParameters(full, [{ id: 31 * 5 + 27, value: hex('abcdef') }]);
  assert.equal(decodeTransportParameters(wire, 'server'), full);
});

s('decoded byte values are copies, also from a node Buffer (whose slice() is a view)', () => {
  const encoded = encodeTransportParameters({
    ...defaultTransportParameters(),
    originalDestinationConnectionId: hex('0102030405060708'),
    initialSourceConnectionId: hex('0a0b0c0d'),
    statelessResetToken: new Uint8Array(16).fill(5),
  });
  const message = Buffer.alloc(encoded.length + 1200, 0); // e.g. the ClientHello the parameters came in
  message.set(encoded, 100);
  const p = decodeTransportParameters(message.subarray(100, 100 + encoded.length), 'server');
  message.fill(0xee);
  assert.equal(p.originalDestinationConnectionId, hex('0102030405060708'));
  assert.equal(p.initialSourceConnectionId, hex('0a0b0c0d'));
  assert.equal(p.statelessResetToken, new Uint8Array(16).fill(5));
  for (const v of [p.originalDestinationConnectionId!, p.initialSourceConnectionId!, p.statelessResetToken!]) assert.not.ok(v.buffer === message.buffer);
});

s('defaults: empty extension, default values are not sent', () => {
  assert.equal(decodeTransportParameters(new Uint8Array(0), 'client'), defaultTransportParameters());
  assert.is(encodeTransportParameters(defaultTransportParameters()).length, 0);
  assert.is(encodeTransportParameters({}).length, 0);
});

s('unknown and reserved parameters are skipped', () => {
  const wire = raw([31 * 7 + 27, hex('00')], [0x4242, new Uint8Array(0)], [TransportParameterId.initial_max_data, vint(5)]);
  assert.is(decodeTransportParameters(wire, 'client').initialMaxData, 5);
});

s('invalid parameters are TRANSPORT_PARAMETER_ERROR', () => {
  const id = TransportParameterId;
  const bad: [string, Uint8Array, 'client' | 'server'][] = [
    ['duplicate', raw([id.initial_max_data, vint(1)], [id.initial_max_data, vint(2)]), 'client'],
    ['duplicate unknown', raw([0x99, hex('')], [0x99, hex('')]), 'client'],
    ['client sends original_destination_connection_id', raw([id.original_destination_connection_id, hex('01')]), 'client'],
    ['client sends stateless_reset_token', raw([id.stateless_reset_token, new Uint8Array(16)]), 'client'],
    ['client sends preferred_address', raw([id.preferred_address, new Uint8Array(41)]), 'client'],
    ['client sends retry_source_connection_id', raw([id.retry_source_connection_id, hex('01')]), 'client'],
    ['max_udp_payload_size < 1200', raw([id.max_udp_payload_size, vint(1199)]), 'client'],
    ['ack_delay_exponent > 20', raw([id.ack_delay_exponent, vint(21)]), 'client'],
    ['max_ack_delay >= 2^14', raw([id.max_ack_delay, vint(2 ** 14)]), 'client'],
    ['initial_max_streams_bidi > 2^60', raw([id.initial_max_streams_bidi, hex('d000000000000001')]), 'client'],
    ['initial_max_streams_uni > 2^60', raw([id.initial_max_streams_uni, hex('d000000000000001')]), 'client'],
    ['active_connection_id_limit < 2', raw([id.active_connection_id_limit, vint(1)]), 'client'],
    ['integer with trailing bytes', raw([id.max_idle_timeout, hex('0100')]), 'client'],
    ['truncated integer', raw([id.max_idle_timeout, hex('40')]), 'client'],
    ['empty integer', raw([id.initial_max_data, hex('')]), 'client'],
    ['ack_delay_exponent above 2^53', raw([id.ack_delay_exponent, hex('ffffffffffffffff')]), 'client'],
    ['stateless_reset_token of 15 bytes', raw([id.stateless_reset_token, new Uint8Array(15)]), 'server'],
    ['disable_active_migration with a value', raw([id.disable_active_migration, hex('00')]), 'client'],
    ['grease_quic_bit with a value', raw([id.grease_quic_bit, hex('00')]), 'client'],
    ['CID longer than 20', raw([id.initial_source_connection_id, new Uint8Array(21)]), 'client'],
    ['preferred_address with empty CID', raw([id.preferred_address, new Uint8Array(4 + 2 + 16 + 2 + 1 + 16)]), 'server'],
    ['preferred_address truncated', raw([id.preferred_address, new Uint8Array(30)]), 'server'],
    ['preferred_address trailing', raw([id.preferred_address, Uint8Array.from([...new Uint8Array(24), 1, 9, ...new Uint8Array(17)])]), 'server'],
    ['version_information of 6 bytes', raw([id.version_information, new Uint8Array(6)]), 'client'],
    ['version_information chosen 0', raw([id.version_information, new Uint8Array(4)]), 'client'],
    ['version_information lists 0', raw([id.version_information, hex('0000000100000000')]), 'client'],
    ['truncated value', hex('0405'), 'client'],
    ['truncated id', hex('40'), 'client'],
  ];
  for (const [name, wire, sender] of bad) {
    assert.is(err(() => decodeTransportParameters(wire, sender)).code, TPE, name);
  }
});

s('encoder refuses what the decoder would reject', () => {
  const IE = TransportErrorCode.INTERNAL_ERROR;
  const bad: Partial<TransportParameters>[] = [
    { maxUdpPayloadSize: 1000 },
    { ackDelayExponent: 21 },
    { maxAckDelay: 2 ** 14 },
    { initialMaxStreamsBidi: 2 ** 61 },
    { initialMaxStreamsUni: 2 ** 61 },
    { activeConnectionIdLimit: 1 },
    { statelessResetToken: new Uint8Array(3) },
    { initialSourceConnectionId: new Uint8Array(21) },
    { versionInformation: { chosenVersion: 0, availableVersions: [] } },
    {
      preferredAddress: {
        ipv4Address: new Uint8Array(4),
        ipv4Port: 0,
        ipv6Address: new Uint8Array(16),
        ipv6Port: 0,
        connectionId: new Uint8Array(0),
        statelessResetToken: new Uint8Array(16),
      },
    },
  ];
  for (const p of bad) assert.is(err(() => encodeTransportParameters(p)).code, IE, JSON.stringify(Object.keys(p)));
  assert.is(err(() => encodeTransportParameters({}, [{ id: 0x01, value: hex('00') }])).code, IE);
});

s('connection ID authentication (RFC 9000 §7.3)', () => {
  const odcid = hex('8394c8f03e515708');
  const cScid = hex('c1');
  const sScid = hex('5e5e');
  const rScid = hex('7777');
  const server = (extra: Partial<TransportParameters>): TransportParameters => ({
    ...defaultTransportParameters(),
    originalDestinationConnectionId: odcid,
    initialSourceConnectionId: sScid,
    ...extra,
  });
  // Client validating the server, no Retry.
  validateConnectionIds(server({}), { role: 'client', peerInitialSourceConnectionId: sScid, originalDestinationConnectionId: odcid });
  // With Retry.
  validateConnectionIds(server({ retrySourceConnectionId: rScid }), {
    role: 'client',
    peerInitialSourceConnectionId: sScid,
    originalDestinationConnectionId: odcid,
    retrySourceConnectionId: rScid,
  });
  const clientCtx = { role: 'client' as const, peerInitialSourceConnectionId: sScid, originalDestinationConnectionId: odcid };
  const cases: [string, TransportParameters, typeof clientCtx & { retrySourceConnectionId?: Uint8Array }, number][] = [
    ['missing initial_source_connection_id', server({ initialSourceConnectionId: undefined }), clientCtx, TPE],
    ['initial_source mismatch', server({ initialSourceConnectionId: hex('5e') }), clientCtx, TransportErrorCode.PROTOCOL_VIOLATION],
    ['missing original_destination', server({ originalDestinationConnectionId: undefined }), clientCtx, TPE],
    ['original_destination mismatch', server({ originalDestinationConnectionId: hex('8394') }), clientCtx, TransportErrorCode.PROTOCOL_VIOLATION],
    ['retry_source without Retry', server({ retrySourceConnectionId: rScid }), clientCtx, TPE],
    ['retry_source missing after Retry', server({}), { ...clientCtx, retrySourceConnectionId: rScid }, TPE],
    ['retry_source mismatch', server({ retrySourceConnectionId: hex('7778') }), { ...clientCtx, retrySourceConnectionId: rScid }, TransportErrorCode.PROTOCOL_VIOLATION],
    ['client context without ODCID', server({}), { ...clientCtx, originalDestinationConnectionId: undefined as unknown as Uint8Array }, TransportErrorCode.INTERNAL_ERROR],
  ];
  for (const [name, p, ctx, c] of cases) assert.is(err(() => validateConnectionIds(p, ctx)).code, c, name);
  // Server validating the client.
  const client = { ...defaultTransportParameters(), initialSourceConnectionId: cScid };
  validateConnectionIds(client, { role: 'server', peerInitialSourceConnectionId: cScid });
  assert.is(
    err(() => validateConnectionIds(client, { role: 'server', peerInitialSourceConnectionId: hex('c2') })).code,
    TransportErrorCode.PROTOCOL_VIOLATION,
  );
});

s.run();
