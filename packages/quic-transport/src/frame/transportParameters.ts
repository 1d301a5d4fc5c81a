/**
 * QUIC transport parameters (RFC 9000 §18, RFC 9221 §3, RFC 9287 §3, RFC 9368 §5): encode, decode with every
 * validation rule, defaults, and the connection ID authentication of RFC 9000 §7.3. Every violation is a
 * QuicError(TRANSPORT_PARAMETER_ERROR) unless noted (mismatching connection IDs are PROTOCOL_VIOLATION).
 * Limits whose large values mean "unlimited" (max_idle_timeout, max_udp_payload_size, initial_max_data,
 * initial_max_stream_data_*, max_datagram_frame_size) are clamped to 2^53-1 when larger (clients commonly send
 * 2^62-1); any other integer above 2^53-1 is rejected as TRANSPORT_PARAMETER_ERROR (see varint.ts).
 */
import { QuicError, TransportErrorCode } from '../errors.js';
import { MAX_STREAMS_LIMIT } from '../stream/streamId.js';
import { MAX_CONNECTION_ID_LENGTH } from './frameType.js';
import { QuicReader } from './quicReader.js';
import { QuicWriter } from './quicWriter.js';
import { varintSize } from './varint.js';

/** Transport parameter IDs. */
export const TransportParameterId = {
  original_destination_connection_id: 0x00,
  max_idle_timeout: 0x01,
  stateless_reset_token: 0x02,
  max_udp_payload_size: 0x03,
  initial_max_data: 0x04,
  initial_max_stream_data_bidi_local: 0x05,
  initial_max_stream_data_bidi_remote: 0x06,
  initial_max_stream_data_uni: 0x07,
  initial_max_streams_bidi: 0x08,
  initial_max_streams_uni: 0x09,
  ack_delay_exponent: 0x0a,
  max_ack_delay: 0x0b,
  disable_active_migration: 0x0c,
  preferred_address: 0x0d,
  active_connection_id_limit: 0x0e,
  initial_source_connection_id: 0x0f,
  retry_source_connection_id: 0x10,
  version_information: 0x11,
  max_datagram_frame_size: 0x20,
  grease_quic_bit: 0x2ab2,
} as const;

/** The server's preferred address (RFC 9000 §18.2). */
export interface PreferredAddress {
  /** IPv4 address (4 bytes; all zero when absent). */
  ipv4Address: Uint8Array;
  /** IPv4 port. */
  ipv4Port: number;
  /** IPv6 address (16 bytes; all zero when absent). */
  ipv6Address: Uint8Array;
  /** IPv6 port. */
  ipv6Port: number;
  /** Connection ID to use on the preferred address (1..20 bytes). */
  connectionId: Uint8Array;
  /** Stateless reset token for that connection ID (16 bytes). */
  statelessResetToken: Uint8Array;
}

/** Version Information (RFC 9368 §5). */
export interface VersionInformation {
  /** The version in use (non-zero). */
  chosenVersion: number;
  /** Versions the sender supports, in preference order. */
  availableVersions: number[];
}

/** Decoded transport parameters, with RFC defaults filled in for absent integer/flag parameters. */
export interface TransportParameters {
  /** Server only: DCID of the client's first Initial. */
  originalDestinationConnectionId?: Uint8Array;
  /** Idle timeout in milliseconds; 0 = none (default 0). */
  maxIdleTimeout: number;
  /** Server only: 16-byte stateless reset token. */
  statelessResetToken?: Uint8Array;
  /** Largest UDP payload the sender accepts, >= 1200 (default 65527). */
  maxUdpPayloadSize: number;
  /** Connection flow-control limit (default 0). */
  initialMaxData: number;
  /** Limit for locally initiated bidirectional streams (default 0). */
  initialMaxStreamDataBidiLocal: number;
  /** Limit for peer-initiated bidirectional streams (default 0). */
  initialMaxStreamDataBidiRemote: number;
  /** Limit for unidirectional streams (default 0). */
  initialMaxStreamDataUni: number;
  /** Bidirectional stream count, <= 2^60 (default 0). */
  initialMaxStreamsBidi: number;
  /** Unidirectional stream count, <= 2^60 (default 0). */
  initialMaxStreamsUni: number;
  /** ACK delay exponent, <= 20 (default 3). */
  ackDelayExponent: number;
  /** Maximum ACK delay in milliseconds, < 2^14 (default 25). */
  maxAckDelay: number;
  /** The sender does not support active migration (default false). */
  disableActiveMigration: boolean;
  /** Server only: preferred address. */
  preferredAddress?: PreferredAddress;
  /** Connection IDs the sender is willing to store, >= 2 (default 2). */
  activeConnectionIdLimit: number;
  /** SCID of the sender's first Initial (required in both directions). */
  initialSourceConnectionId?: Uint8Array;
  /** Server only: SCID of its Retry packet. */
  retrySourceConnectionId?: Uint8Array;
  /** Largest DATAGRAM frame accepted (RFC 9221); absent = DATAGRAM not supported. */
  maxDatagramFrameSize?: number;
  /** The sender accepts a zero fixed bit (RFC 9287; default false). */
  greaseQuicBit: boolean;
  /** Version Information (RFC 9368). */
  versionInformation?: VersionInformation;
}

/** Parameters for encoding: any subset; absent or default-valued integers/flags are not sent. */
export type TransportParametersInit = Partial<TransportParameters>;

/** The RFC defaults (what an empty extension means). */
export function defaultTransportParameters(): TransportParameters {
  return {
    maxIdleTimeout: 0,
    maxUdpPayloadSize: 65527,
    initialMaxData: 0,
    initialMaxStreamDataBidiLocal: 0,
    initialMaxStreamDataBidiRemote: 0,
    initialMaxStreamDataUni: 0,
    initialMaxStreamsBidi: 0,
    initialMaxStreamsUni: 0,
    ackDelayExponent: 3,
    maxAckDelay: 25,
    disableActiveMigration: false,
    activeConnectionIdLimit: 2,
    greaseQuicBit: false,
  };
}

const ID = TransportParameterId;
const SERVER_ONLY = new Set<number>([
  ID.original_destination_connection_id,
  ID.stateless_reset_token,
  ID.preferred_address,
  ID.retry_source_connection_id,
]);

function tpError(reason: string): QuicError {
  return new QuicError(TransportErrorCode.TRANSPORT_PARAMETER_ERROR, reason);
}

function readIntParam(r: QuicReader, name: string, saturate = false): number {
  const v = saturate ? r.varintSaturating(name) : r.varint(name);
  if (r.pos !== r.end) throw tpError(`${name}: trailing bytes after the value`);
  return v;
}

function readCid(value: Uint8Array, name: string): Uint8Array {
  if (value.length > MAX_CONNECTION_ID_LENGTH) throw tpError(`${name} longer than 20 bytes`);
  return new Uint8Array(value); // a copy, also of a node Buffer (whose slice() is a view)
}

function readPreferredAddress(value: Uint8Array): PreferredAddress {
  const r = new QuicReader(value, 0, value.length, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  const ipv4Address = r.bytes(4, 'preferred_address IPv4');
  const ipv4Port = r.u16();
  const ipv6Address = r.bytes(16, 'preferred_address IPv6');
  const ipv6Port = r.u16();
  const cidLen = r.u8();
  if (cidLen < 1 || cidLen > MAX_CONNECTION_ID_LENGTH) {
    throw tpError(`preferred_address connection ID length ${cidLen} outside 1..20`);
  }
  const connectionId = r.bytes(cidLen, 'preferred_address connection ID');
  const statelessResetToken = r.bytes(16, 'preferred_address stateless reset token');
  if (r.remaining !== 0) throw tpError('preferred_address: trailing bytes');
  return { ipv4Address, ipv4Port, ipv6Address, ipv6Port, connectionId, statelessResetToken };
}

function readVersionInformation(value: Uint8Array): VersionInformation {
  if (value.length < 4 || value.length % 4 !== 0) throw tpError('version_information length must be a multiple of 4 and >= 4');
  const r = new QuicReader(value, 0, value.length, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  const chosenVersion = r.u32();
  if (chosenVersion === 0) throw tpError('version_information chosen version is 0');
  const availableVersions: number[] = [];
  while (r.remaining > 0) {
    const v = r.u32();
    if (v === 0) throw tpError('version_information lists version 0');
    availableVersions.push(v);
  }
  return { chosenVersion, availableVersions };
}

/**
 * Decodes the quic_transport_parameters extension body sent by `sender`. Unknown (and reserved/GREASE) IDs are
 * skipped; duplicates, malformed values, out-of-range values and server-only parameters from a client are
 * TRANSPORT_PARAMETER_ERROR. Byte values (connection IDs, tokens, preferred_address) are copies, so the result does not
 * keep the message it came in alive.
 */
export function decodeTransportParameters(data: Uint8Array, sender: 'client' | 'server'): TransportParameters {
  const p = defaultTransportParameters();
  const r = new QuicReader(data, 0, data.length, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  const seen = new Set<number>();
  const v = new QuicReader(data, 0, 0, TransportErrorCode.TRANSPORT_PARAMETER_ERROR);
  while (r.remaining > 0) {
    const id = r.varint('transport parameter id');
    const value = r.varintBytes('transport parameter value');
    if (seen.has(id)) throw tpError(`duplicate transport parameter 0x${id.toString(16)}`);
    seen.add(id);
    if (sender === 'client' && SERVER_ONLY.has(id)) {
      throw tpError(`client sent server-only transport parameter 0x${id.toString(16)}`);
    }
    v.reset(value);
    switch (id) {
      case ID.original_destination_connection_id:
        p.originalDestinationConnectionId = readCid(value, 'original_destination_connection_id');
        break;
      case ID.max_idle_timeout:
        p.maxIdleTimeout = readIntParam(v, 'max_idle_timeout', true);
        break;
      case ID.stateless_reset_token:
        if (value.length !== 16) throw tpError('stateless_reset_token must be 16 bytes');
        p.statelessResetToken = new Uint8Array(value);
        break;
      case ID.max_udp_payload_size:
        p.maxUdpPayloadSize = readIntParam(v, 'max_udp_payload_size', true);
        if (p.maxUdpPayloadSize < 1200) throw tpError(`max_udp_payload_size ${p.maxUdpPayloadSize} < 1200`);
        break;
      case ID.initial_max_data:
        p.initialMaxData = readIntParam(v, 'initial_max_data', true);
        break;
      case ID.initial_max_stream_data_bidi_local:
        p.initialMaxStreamDataBidiLocal = readIntParam(v, 'initial_max_stream_data_bidi_local', true);
        break;
      case ID.initial_max_stream_data_bidi_remote:
        p.initialMaxStreamDataBidiRemote = readIntParam(v, 'initial_max_stream_data_bidi_remote', true);
        break;
      case ID.initial_max_stream_data_uni:
        p.initialMaxStreamDataUni = readIntParam(v, 'initial_max_stream_data_uni', true);
        break;
      case ID.initial_max_streams_bidi:
        p.initialMaxStreamsBidi = readIntParam(v, 'initial_max_streams_bidi');
        if (p.initialMaxStreamsBidi > MAX_STREAMS_LIMIT) throw tpError('initial_max_streams_bidi exceeds 2^60');
        break;
      case ID.initial_max_streams_uni:
        p.initialMaxStreamsUni = readIntParam(v, 'initial_max_streams_uni');
        if (p.initialMaxStreamsUni > MAX_STREAMS_LIMIT) throw tpError('initial_max_streams_uni exceeds 2^60');
        break;
      case ID.ack_delay_exponent:
        p.ackDelayExponent = readIntParam(v, 'ack_delay_exponent');
        if (p.ackDelayExponent > 20) throw tpError(`ack_delay_exponent ${p.ackDelayExponent} > 20`);
        break;
      case ID.max_ack_delay:
        p.maxAckDelay = readIntParam(v, 'max_ack_delay');
        if (p.maxAckDelay >= 2 ** 14) throw tpError(`max_ack_delay ${p.maxAckDelay} >= 2^14`);
        break;
      case ID.disable_active_migration:
        if (value.length !== 0) throw tpError('disable_active_migration must be empty');
        p.disableActiveMigration = true;
        break;
      case ID.preferred_address:
        p.preferredAddress = readPreferredAddress(new Uint8Array(value));
        break;
      case ID.active_connection_id_limit:
        p.activeConnectionIdLimit = readIntParam(v, 'active_connection_id_limit');
        if (p.activeConnectionIdLimit < 2) throw tpError(`active_connection_id_limit ${p.activeConnectionIdLimit} < 2`);
        break;
      case ID.initial_source_connection_id:
        p.initialSourceConnectionId = readCid(value, 'initial_source_connection_id');
        break;
      case ID.retry_source_connection_id:
        p.retrySourceConnectionId = readCid(value, 'retry_source_connection_id');
        break;
      case ID.version_information:
        p.versionInformation = readVersionInformation(value);
        break;
      case ID.max_datagram_frame_size:
        p.maxDatagramFrameSize = readIntParam(v, 'max_datagram_frame_size', true);
        break;
      case ID.grease_quic_bit:
        if (value.length !== 0) throw tpError('grease_quic_bit must be empty');
        p.greaseQuicBit = true;
        break;
      default:
        break; // unknown or reserved (31 * N + 27): ignored
    }
  }
  return p;
}

function checkEncodable(cond: boolean, reason: string): void {
  if (!cond) throw new QuicError(TransportErrorCode.INTERNAL_ERROR, `cannot encode transport parameters: ${reason}`);
}

/**
 * Encodes transport parameters. Integer parameters equal to their default and false flags are omitted. Values the
 * decoder would reject are QuicError(INTERNAL_ERROR). `extra` appends raw parameters (e.g. a GREASE one with ID
 * 31 * N + 27); their IDs must not collide with known ones.
 */
export function encodeTransportParameters(
  params: TransportParametersInit,
  extra: readonly { id: number; value: Uint8Array }[] = [],
): Uint8Array {
  const d = defaultTransportParameters();
  const w = new QuicWriter(128);
  const bytesParam = (id: number, value: Uint8Array): void => {
    w.varint(id).varintBytes(value);
  };
  const intParam = (id: number, value: number | undefined, def: number): void => {
    if (value === undefined || value === def) return;
    w.varint(id).varint(varintSize(value)).varint(value);
  };
  const cid = (id: number, value: Uint8Array | undefined): void => {
    if (value === undefined) return;
    checkEncodable(value.length <= MAX_CONNECTION_ID_LENGTH, 'connection ID longer than 20 bytes');
    bytesParam(id, value);
  };
  cid(ID.original_destination_connection_id, params.originalDestinationConnectionId);
  intParam(ID.max_idle_timeout, params.maxIdleTimeout, d.maxIdleTimeout);
  if (params.statelessResetToken !== undefined) {
    checkEncodable(params.statelessResetToken.length === 16, 'stateless_reset_token must be 16 bytes');
    bytesParam(ID.stateless_reset_token, params.statelessResetToken);
  }
  if (params.maxUdpPayloadSize !== undefined) checkEncodable(params.maxUdpPayloadSize >= 1200, 'max_udp_payload_size < 1200');
  intParam(ID.max_udp_payload_size, params.maxUdpPayloadSize, d.maxUdpPayloadSize);
  intParam(ID.initial_max_data, params.initialMaxData, d.initialMaxData);
  intParam(ID.initial_max_stream_data_bidi_local, params.initialMaxStreamDataBidiLocal, 0);
  intParam(ID.initial_max_stream_data_bidi_remote, params.initialMaxStreamDataBidiRemote, 0);
  intParam(ID.initial_max_stream_data_uni, params.initialMaxStreamDataUni, 0);
  checkEncodable((params.initialMaxStreamsBidi ?? 0) <= MAX_STREAMS_LIMIT, 'initial_max_streams_bidi > 2^60');
  checkEncodable((params.initialMaxStreamsUni ?? 0) <= MAX_STREAMS_LIMIT, 'initial_max_streams_uni > 2^60');
  intParam(ID.initial_max_streams_bidi, params.initialMaxStreamsBidi, 0);
  intParam(ID.initial_max_streams_uni, params.initialMaxStreamsUni, 0);
  checkEncodable((params.ackDelayExponent ?? 0) <= 20, 'ack_delay_exponent > 20');
  checkEncodable((params.maxAckDelay ?? 0) < 2 ** 14, 'max_ack_delay >= 2^14');
  intParam(ID.ack_delay_exponent, params.ackDelayExponent, d.ackDelayExponent);
  intParam(ID.max_ack_delay, params.maxAckDelay, d.maxAckDelay);
  if (params.disableActiveMigration) bytesParam(ID.disable_active_migration, new Uint8Array(0));
  const pa = params.preferredAddress;
  if (pa !== undefined) {
    checkEncodable(
      pa.ipv4Address.length === 4 &&
        pa.ipv6Address.length === 16 &&
        pa.connectionId.length >= 1 &&
        pa.connectionId.length <= MAX_CONNECTION_ID_LENGTH &&
        pa.statelessResetToken.length === 16,
      'bad preferred_address',
    );
    const pw = new QuicWriter(64);
    pw.bytes(pa.ipv4Address).u16(pa.ipv4Port).bytes(pa.ipv6Address).u16(pa.ipv6Port);
    pw.u8(pa.connectionId.length).bytes(pa.connectionId).bytes(pa.statelessResetToken);
    bytesParam(ID.preferred_address, pw.finish());
  }
  if (params.activeConnectionIdLimit !== undefined) {
    checkEncodable(params.activeConnectionIdLimit >= 2, 'active_connection_id_limit < 2');
  }
  intParam(ID.active_connection_id_limit, params.activeConnectionIdLimit, d.activeConnectionIdLimit);
  cid(ID.initial_source_connection_id, params.initialSourceConnectionId);
  cid(ID.retry_source_connection_id, params.retrySourceConnectionId);
  const vi = params.versionInformation;
  if (vi !== undefined) {
    checkEncodable(vi.chosenVersion !== 0 && !vi.availableVersions.includes(0), 'version 0 in version_information');
    const vw = new QuicWriter(4 + 4 * vi.availableVersions.length);
    vw.u32(vi.chosenVersion >>> 0);
    for (const x of vi.availableVersions) vw.u32(x >>> 0);
    bytesParam(ID.version_information, vw.finish());
  }
  if (params.maxDatagramFrameSize !== undefined) {
    w.varint(ID.max_datagram_frame_size).varint(varintSize(params.maxDatagramFrameSize)).varint(params.maxDatagramFrameSize);
  }
  if (params.greaseQuicBit) bytesParam(ID.grease_quic_bit, new Uint8Array(0));
  const known = new Set<number>(Object.values(ID));
  for (const e of extra) {
    checkEncodable(!known.has(e.id), `extra parameter 0x${e.id.toString(16)} collides with a known one`);
    bytesParam(e.id, e.value);
  }
  return w.finish();
}

/** What an endpoint saw on the wire, to authenticate the peer's connection ID parameters (RFC 9000 §7.3). */
export interface ConnectionIdContext {
  /** Our role. */
  role: 'client' | 'server';
  /** SCID of the first Initial packet received from the peer. */
  peerInitialSourceConnectionId: Uint8Array;
  /** Client only: DCID of the client's first Initial. */
  originalDestinationConnectionId?: Uint8Array;
  /** Client only: SCID of the Retry packet the client processed, if any. */
  retrySourceConnectionId?: Uint8Array;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Connection ID authentication (RFC 9000 §7.3) of the peer's transport parameters. A missing required parameter,
 * or a retry_source_connection_id without a Retry, is TRANSPORT_PARAMETER_ERROR; a value that differs from what
 * was seen on the wire is PROTOCOL_VIOLATION.
 */
export function validateConnectionIds(peer: TransportParameters, ctx: ConnectionIdContext): void {
  const mismatch = (name: string): QuicError =>
    new QuicError(TransportErrorCode.PROTOCOL_VIOLATION, `${name} does not match the connection ID seen on the wire`);
  if (peer.initialSourceConnectionId === undefined) throw tpError('initial_source_connection_id missing');
  if (!equalBytes(peer.initialSourceConnectionId, ctx.peerInitialSourceConnectionId)) {
    throw mismatch('initial_source_connection_id');
  }
  if (ctx.role === 'server') return;
  if (peer.originalDestinationConnectionId === undefined) throw tpError('original_destination_connection_id missing');
  if (ctx.originalDestinationConnectionId === undefined) {
    throw new QuicError(TransportErrorCode.INTERNAL_ERROR, 'client context lacks originalDestinationConnectionId');
  }
  if (!equalBytes(peer.originalDestinationConnectionId, ctx.originalDestinationConnectionId)) {
    throw mismatch('original_destination_connection_id');
  }
  if (ctx.retrySourceConnectionId === undefined) {
    if (peer.retrySourceConnectionId !== undefined) throw tpError('retry_source_connection_id without a Retry');
  } else {
    if (peer.retrySourceConnectionId === undefined) throw tpError('retry_source_connection_id missing after a Retry');
    if (!equalBytes(peer.retrySourceConnectionId, ctx.retrySourceConnectionId)) throw mismatch('retry_source_connection_id');
  }
}
