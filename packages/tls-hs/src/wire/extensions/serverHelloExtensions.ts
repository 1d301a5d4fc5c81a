/**
 * Typed views of the extension blocks a client receives in ServerHello, HelloRetryRequest and EncryptedExtensions,
 * after the RFC 8446 §4.2 checks (not allowed there → illegal_parameter; not offered or unknown →
 * unsupported_extension).
 */
import { ExtensionType as X } from '../constants.js';
import { parseAlpnSelected } from './applicationLayerProtocolNegotiation.js';
import { parseCookie } from './cookie.js';
import { parseEarlyDataIndication } from './earlyData.js';
import type { Extension } from './extensionList.js';
import { checkExtensions } from './extensionRules.js';
import { parseKeyShareHelloRetryRequest, parseKeyShareServer, type KeyShareEntry } from './keyShare.js';
import { parsePreSharedKeyServer } from './preSharedKey.js';
import { parseRecordSizeLimit } from './recordSizeLimit.js';
import { parseServerNameAck } from './serverName.js';
import { parseSupportedGroups } from './supportedGroups.js';
import { parseSupportedVersionsServer } from './supportedVersions.js';

/** Decoded ServerHello extensions. */
export interface ServerHelloExtensions {
  /** supported_versions selected_version. */
  selectedVersion?: number;
  /** key_share server_share. */
  keyShare?: KeyShareEntry;
  /** pre_shared_key selected_identity. */
  selectedIdentity?: number;
}

/** Decoded HelloRetryRequest extensions. */
export interface HelloRetryRequestExtensions {
  /** supported_versions selected_version. */
  selectedVersion?: number;
  /** key_share selected_group. */
  selectedGroup?: number;
  /** cookie to echo. */
  cookie?: Uint8Array;
}

/** Decoded EncryptedExtensions. */
export interface EncryptedExtensionsFields {
  /** server_name acknowledged (empty extension). */
  serverNameAcknowledged: boolean;
  /** supported_groups the server prefers (informational). */
  supportedGroups?: number[];
  /** The selected ALPN protocol. */
  alpn?: string;
  /** early_data accepted. */
  earlyData: boolean;
  /** quic_transport_parameters, undecoded. */
  quicTransportParameters?: Uint8Array;
  /** record_size_limit. */
  recordSizeLimit?: number;
}

/** Decodes ServerHello extensions; `offered` is the set of extension types the ClientHello carried. */
export function decodeServerHelloExtensions(extensions: readonly Extension[], offered: ReadonlySet<number>): ServerHelloExtensions {
  checkExtensions(extensions, 'SH', offered);
  const out: ServerHelloExtensions = {};
  for (const { type, data } of extensions) {
    if (type === X.supported_versions) out.selectedVersion = parseSupportedVersionsServer(data);
    else if (type === X.key_share) out.keyShare = parseKeyShareServer(data);
    else if (type === X.pre_shared_key) out.selectedIdentity = parsePreSharedKeyServer(data);
  }
  return out;
}

/** Decodes HelloRetryRequest extensions; `offered` is the set of extension types the ClientHello carried. */
export function decodeHelloRetryRequestExtensions(
  extensions: readonly Extension[],
  offered: ReadonlySet<number>,
): HelloRetryRequestExtensions {
  checkExtensions(extensions, 'HRR', offered);
  const out: HelloRetryRequestExtensions = {};
  for (const { type, data } of extensions) {
    if (type === X.supported_versions) out.selectedVersion = parseSupportedVersionsServer(data);
    else if (type === X.key_share) out.selectedGroup = parseKeyShareHelloRetryRequest(data);
    else if (type === X.cookie) out.cookie = parseCookie(data);
  }
  return out;
}

/** Decodes EncryptedExtensions; `offered` is the set of extension types the ClientHello carried. */
export function decodeEncryptedExtensionsFields(
  extensions: readonly Extension[],
  offered: ReadonlySet<number>,
): EncryptedExtensionsFields {
  checkExtensions(extensions, 'EE', offered);
  const out: EncryptedExtensionsFields = { serverNameAcknowledged: false, earlyData: false };
  for (const { type, data } of extensions) {
    switch (type) {
      case X.server_name: parseServerNameAck(data); out.serverNameAcknowledged = true; break;
      case X.supported_groups: out.supportedGroups = parseSupportedGroups(data); break;
      case X.application_layer_protocol_negotiation: out.alpn = parseAlpnSelected(data); break;
      case X.early_data: parseEarlyDataIndication(data); out.earlyData = true; break;
      case X.quic_transport_parameters: out.quicTransportParameters = data; break;
      case X.record_size_limit: out.recordSizeLimit = parseRecordSizeLimit(data); break;
      default: break;
    }
  }
  return out;
}
