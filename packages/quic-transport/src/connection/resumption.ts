/**
 * What QUIC remembers across connections for resumption and 0-RTT:
 * - the application data a server seals into its session tickets: the QUIC version of the connection that issued
 *   them (RFC 9369 §5: a ticket is only valid in its own version) followed by the server's encoded transport
 *   parameters (RFC 9000 §7.4.1: the limits a 0-RTT client may rely on);
 * - the check shared by both ends that none of those remembered limits was lowered since (the server rejects 0-RTT,
 *   a client that had 0-RTT accepted treats it as PROTOCOL_VIOLATION);
 * - the client's session decoded, and the version it starts in to use it.
 */
import { TlsSession } from '@quichs/tls-hs';
import { decodeTransportParameters, type TransportParameters } from '../frame/transportParameters.js';
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '../packet/version.js';

/** The ticket application data of a server connection: `version(4) ‖ encoded transport parameters`. */
export function encodeTicketAppData(version: number, encodedTransportParameters: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + encodedTransportParameters.length);
  new DataView(out.buffer).setUint32(0, version);
  out.set(encodedTransportParameters, 4);
  return out;
}

/** The QUIC version a ticket's application data names, or undefined when it holds none. */
export function ticketVersion(appData: Uint8Array): number | undefined {
  if (appData.length < 4) return undefined;
  return ((appData[0] << 24) | (appData[1] << 16) | (appData[2] << 8) | appData[3]) >>> 0;
}

/** The server transport parameters sealed into a ticket's application data, or undefined when not decodable. */
export function ticketTransportParameters(appData: Uint8Array): TransportParameters | undefined {
  if (appData.length < 4) return undefined;
  try {
    return decodeTransportParameters(appData.subarray(4), 'server');
  } catch {
    return undefined;
  }
}

/**
 * The first limit a 0-RTT client may have relied on (RFC 9000 §7.4.1) that `now` lowers below `remembered`, as
 * `name from remembered to now`; undefined when every one was kept.
 */
export function loweredRememberedLimit(now: TransportParameters, remembered: TransportParameters): string | undefined {
  const limits: [string, number, number][] = [
    ['active_connection_id_limit', now.activeConnectionIdLimit, remembered.activeConnectionIdLimit],
    ['initial_max_data', now.initialMaxData, remembered.initialMaxData],
    ['initial_max_stream_data_bidi_local', now.initialMaxStreamDataBidiLocal, remembered.initialMaxStreamDataBidiLocal],
    ['initial_max_stream_data_bidi_remote', now.initialMaxStreamDataBidiRemote, remembered.initialMaxStreamDataBidiRemote],
    ['initial_max_stream_data_uni', now.initialMaxStreamDataUni, remembered.initialMaxStreamDataUni],
    ['initial_max_streams_bidi', now.initialMaxStreamsBidi, remembered.initialMaxStreamsBidi],
    ['initial_max_streams_uni', now.initialMaxStreamsUni, remembered.initialMaxStreamsUni],
  ];
  for (const [name, value, then] of limits) {
    if (value < then) return `${name} from the remembered ${then} to ${value}`;
  }
  return undefined;
}

/** The `tls.session` option decoded (undefined when absent or not decodable — the TLS engine then reports it). */
export function decodeSession(s: TlsSession | Uint8Array | undefined): TlsSession | undefined {
  if (!(s instanceof Uint8Array)) return s;
  try {
    return TlsSession.fromBytes(s);
  } catch {
    return undefined;
  }
}

/**
 * Client without a `version` option: a session remembers the QUIC version its ticket is bound to (RFC 9369 §5), so
 * the connection starts in that version (when it is among `versions`) to be able to resume and send 0-RTT.
 */
export function sessionStartVersion(session: TlsSession | undefined, versions: readonly number[] | undefined): number | undefined {
  const v = session?.quicVersion;
  if (v === undefined) return undefined;
  return (versions ?? [QUIC_VERSION_1, QUIC_VERSION_2]).includes(v) ? v : undefined;
}
