/**
 * The typed view of a ClientHello's extension block: every extension this stack understands decoded by its codec,
 * after the RFC 8446 §4.2 table check. Unknown extensions stay in the raw list for pass-through.
 */
import { TlsAlert } from '../../alerts.js';
import { ExtensionType as X } from '../constants.js';
import { parseAlpn } from './applicationLayerProtocolNegotiation.js';
import { parseCertificateAuthorities } from './certificateAuthorities.js';
import { parseCookie } from './cookie.js';
import { parseEarlyDataIndication } from './earlyData.js';
import type { Extension } from './extensionList.js';
import { checkExtensions } from './extensionRules.js';
import { parseKeyShareClient, type KeyShareEntry } from './keyShare.js';
import { parsePreSharedKeyClient, type OfferedPsks } from './preSharedKey.js';
import { parsePskKeyExchangeModes } from './pskKeyExchangeModes.js';
import { parseRecordSizeLimit } from './recordSizeLimit.js';
import { parseServerName } from './serverName.js';
import { parseSignatureAlgorithms, parseSignatureAlgorithmsCert } from './signatureAlgorithms.js';
import { parseSupportedGroups } from './supportedGroups.js';
import { parseSupportedVersionsClient } from './supportedVersions.js';

/** Decoded ClientHello extensions; a field is undefined (or false) when its extension is absent. */
export interface ClientHelloExtensions {
  /** server_name host name. */
  serverName?: string;
  /** supported_groups. */
  supportedGroups?: number[];
  /** signature_algorithms. */
  signatureAlgorithms?: number[];
  /** signature_algorithms_cert. */
  signatureAlgorithmsCert?: number[];
  /** application_layer_protocol_negotiation names (binary strings). */
  alpn?: string[];
  /** supported_versions list. */
  supportedVersions?: number[];
  /** key_share client_shares. */
  keyShares?: KeyShareEntry[];
  /** psk_key_exchange_modes. */
  pskKeyExchangeModes?: number[];
  /** pre_shared_key offer (always the last extension). */
  preSharedKey?: OfferedPsks;
  /** early_data present. */
  earlyData: boolean;
  /** cookie echoed from a HelloRetryRequest. */
  cookie?: Uint8Array;
  /** certificate_authorities (DER names). */
  certificateAuthorities?: Uint8Array[];
  /** post_handshake_auth present. */
  postHandshakeAuth: boolean;
  /** quic_transport_parameters, undecoded. */
  quicTransportParameters?: Uint8Array;
  /** record_size_limit. */
  recordSizeLimit?: number;
}

/**
 * Checks a ClientHello's extensions against the §4.2 table (illegal_parameter for one that may not appear there)
 * and decodes the known ones; each codec raises its own alert for malformed data.
 */
export function decodeClientHelloExtensions(extensions: readonly Extension[]): ClientHelloExtensions {
  checkExtensions(extensions, 'CH');
  const out: ClientHelloExtensions = { earlyData: false, postHandshakeAuth: false };
  for (const { type, data } of extensions) {
    switch (type) {
      case X.server_name: out.serverName = parseServerName(data); break;
      case X.supported_groups: out.supportedGroups = parseSupportedGroups(data); break;
      case X.signature_algorithms: out.signatureAlgorithms = parseSignatureAlgorithms(data); break;
      case X.signature_algorithms_cert: out.signatureAlgorithmsCert = parseSignatureAlgorithmsCert(data); break;
      case X.application_layer_protocol_negotiation: out.alpn = parseAlpn(data); break;
      case X.supported_versions: out.supportedVersions = parseSupportedVersionsClient(data); break;
      case X.key_share: out.keyShares = parseKeyShareClient(data); break;
      case X.psk_key_exchange_modes: out.pskKeyExchangeModes = parsePskKeyExchangeModes(data); break;
      case X.pre_shared_key: out.preSharedKey = parsePreSharedKeyClient(data); break;
      case X.early_data: parseEarlyDataIndication(data); out.earlyData = true; break;
      case X.cookie: out.cookie = parseCookie(data); break;
      case X.certificate_authorities: out.certificateAuthorities = parseCertificateAuthorities(data); break;
      case X.post_handshake_auth:
        if (data.length !== 0) throw TlsAlert.of('decode_error', 'post_handshake_auth: must be empty');
        out.postHandshakeAuth = true;
        break;
      case X.quic_transport_parameters: out.quicTransportParameters = data; break;
      case X.record_size_limit: out.recordSizeLimit = parseRecordSizeLimit(data); break;
      default: break;
    }
  }
  return out;
}
