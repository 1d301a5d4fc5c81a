/**
 * The transport parameters of a connection (RFC 9000 §7.4, §18): what we send in the quic_transport_parameters TLS
 * extension — the caller's limits with our defaults, plus the connection IDs, reset token and version_information
 * only the connection knows — and the checks on what the peer sent: decoding with every RFC 9000 §18.2 rule
 * (TRANSPORT_PARAMETER_ERROR), connection ID authentication (§7.3: TRANSPORT_PARAMETER_ERROR or
 * PROTOCOL_VIOLATION) and version_information (RFC 9368: VERSION_NEGOTIATION_ERROR).
 */
import {
  decodeTransportParameters,
  defaultTransportParameters,
  validateConnectionIds,
  type TransportParameters,
  type TransportParametersInit,
  type VersionInformation,
} from '../frame/transportParameters.js';
import type { StreamLimits } from '../stream/streamManager.js';
import { validateClientVersionInformation, validateServerVersionInformation } from './versionNegotiation.js';

/** Our defaults where the RFC default would make a connection useless (RFC defaults are 0 for every limit). */
export const DEFAULT_LOCAL_TRANSPORT_PARAMETERS: Readonly<TransportParametersInit> = Object.freeze({
  maxIdleTimeout: 30_000,
  initialMaxData: 8 * 1024 * 1024,
  initialMaxStreamDataBidiLocal: 1024 * 1024,
  initialMaxStreamDataBidiRemote: 1024 * 1024,
  initialMaxStreamDataUni: 1024 * 1024,
  initialMaxStreamsBidi: 100,
  initialMaxStreamsUni: 100,
  activeConnectionIdLimit: 4,
});

/** What only the connection knows about its own parameters. */
export interface LocalTransportParameterIds {
  /** Our role. */
  role: 'client' | 'server';
  /** Our first source connection ID. */
  initialSourceConnectionId: Uint8Array;
  /** Server: the client's first DCID. */
  originalDestinationConnectionId?: Uint8Array;
  /** Server after a Retry: the Retry's SCID. */
  retrySourceConnectionId?: Uint8Array;
  /** Server: the reset token of our first connection ID. */
  statelessResetToken?: Uint8Array;
  /** Version information (RFC 9368). */
  versionInformation?: VersionInformation;
}

/**
 * Our full transport parameters: RFC defaults, overridden by {@link DEFAULT_LOCAL_TRANSPORT_PARAMETERS}, overridden
 * by the caller's `overrides`; the ID-related parameters always come from `ids` (a caller cannot set them).
 */
export function localTransportParameters(overrides: TransportParametersInit | undefined, ids: LocalTransportParameterIds): TransportParameters {
  const p: TransportParameters = { ...defaultTransportParameters(), ...DEFAULT_LOCAL_TRANSPORT_PARAMETERS, ...(overrides ?? {}) };
  p.initialSourceConnectionId = ids.initialSourceConnectionId;
  p.versionInformation = ids.versionInformation;
  if (ids.role === 'server') {
    p.originalDestinationConnectionId = ids.originalDestinationConnectionId;
    p.retrySourceConnectionId = ids.retrySourceConnectionId;
    p.statelessResetToken = ids.statelessResetToken;
  } else {
    p.originalDestinationConnectionId = undefined;
    p.retrySourceConnectionId = undefined;
    p.statelessResetToken = undefined;
    p.preferredAddress = undefined;
  }
  return p;
}

/** What the peer's parameters are checked against. */
export interface PeerTransportParameterContext {
  /** Our role (the peer has the other one). */
  role: 'client' | 'server';
  /** SCID of the first Initial the peer sent us. */
  peerInitialSourceConnectionId: Uint8Array;
  /** Client: the DCID of our very first Initial. */
  originalDestinationConnectionId?: Uint8Array;
  /** Client: SCID of the Retry we processed, if any. */
  retrySourceConnectionId?: Uint8Array;
  /** The version in use: server — of the client's first Initial; client — the negotiated one. */
  version: number;
  /** Client: our versions in preference order (for the downgrade check). */
  versions: readonly number[];
  /** Client: true when a Version Negotiation packet made us restart. */
  afterVersionNegotiation: boolean;
}

/**
 * Decodes and validates the peer's quic_transport_parameters. Throws QuicError TRANSPORT_PARAMETER_ERROR,
 * PROTOCOL_VIOLATION (connection IDs that do not match the wire) or VERSION_NEGOTIATION_ERROR.
 */
export function acceptPeerTransportParameters(encoded: Uint8Array, ctx: PeerTransportParameterContext): TransportParameters {
  const peerRole = ctx.role === 'client' ? 'server' : 'client';
  const p = decodeTransportParameters(encoded, peerRole);
  validateConnectionIds(p, {
    role: ctx.role,
    peerInitialSourceConnectionId: ctx.peerInitialSourceConnectionId,
    originalDestinationConnectionId: ctx.originalDestinationConnectionId,
    retrySourceConnectionId: ctx.retrySourceConnectionId,
  });
  if (ctx.role === 'server') validateClientVersionInformation(p.versionInformation, ctx.version);
  else validateServerVersionInformation(p.versionInformation, ctx.version, ctx.versions, ctx.afterVersionNegotiation);
  return p;
}

/** The stream-related limits of a set of transport parameters, in the stream manager's terms. */
export function streamLimitsOf(p: TransportParameters): StreamLimits {
  return {
    maxData: p.initialMaxData,
    maxStreamDataBidiLocal: p.initialMaxStreamDataBidiLocal,
    maxStreamDataBidiRemote: p.initialMaxStreamDataBidiRemote,
    maxStreamDataUni: p.initialMaxStreamDataUni,
    maxStreamsBidi: p.initialMaxStreamsBidi,
    maxStreamsUni: p.initialMaxStreamsUni,
  };
}
