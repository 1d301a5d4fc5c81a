/**
 * TLS 1.3 codepoints (RFC 8446 §4, §B.3; RFC 6066, 7301, 7685, 8449, 8879, 9001; draft-ietf-tls-ecdhe-mlkem) with
 * name lookups for logs.
 */

/** HandshakeType (RFC 8446 §4). */
export const HandshakeType = {
  client_hello: 1,
  server_hello: 2,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  certificate_request: 13,
  certificate_verify: 15,
  finished: 20,
  key_update: 24,
  compressed_certificate: 25,
  message_hash: 254,
} as const;

/** ContentType of a TLS record (RFC 8446 §5.1). */
export const ContentType = {
  invalid: 0,
  change_cipher_spec: 20,
  alert: 21,
  handshake: 22,
  application_data: 23,
} as const;

/** ExtensionType (RFC 8446 §4.2 and the RFCs it cites; 0x39 is RFC 9001's quic_transport_parameters). */
export const ExtensionType = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  application_layer_protocol_negotiation: 16,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  quic_transport_parameters: 0x39,
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
} as const;

/** TLS 1.3 cipher suites (RFC 8446 §B.4). */
export const CipherSuite = {
  TLS_AES_128_GCM_SHA256: 0x1301,
  TLS_AES_256_GCM_SHA384: 0x1302,
  TLS_CHACHA20_POLY1305_SHA256: 0x1303,
  TLS_AES_128_CCM_SHA256: 0x1304,
  TLS_AES_128_CCM_8_SHA256: 0x1305,
} as const;

/** NamedGroup (RFC 8446 §4.2.7; X25519MLKEM768 from draft-ietf-tls-ecdhe-mlkem). */
export const NamedGroup = {
  secp256r1: 0x0017,
  secp384r1: 0x0018,
  secp521r1: 0x0019,
  x25519: 0x001d,
  x448: 0x001e,
  ffdhe2048: 0x0100,
  ffdhe3072: 0x0101,
  ffdhe4096: 0x0102,
  ffdhe6144: 0x0103,
  ffdhe8192: 0x0104,
  X25519MLKEM768: 0x11ec,
} as const;

/** SignatureScheme (RFC 8446 §4.2.3), including the legacy codepoints. */
export const SignatureScheme = {
  rsa_pkcs1_sha256: 0x0401,
  rsa_pkcs1_sha384: 0x0501,
  rsa_pkcs1_sha512: 0x0601,
  ecdsa_secp256r1_sha256: 0x0403,
  ecdsa_secp384r1_sha384: 0x0503,
  ecdsa_secp521r1_sha512: 0x0603,
  rsa_pss_rsae_sha256: 0x0804,
  rsa_pss_rsae_sha384: 0x0805,
  rsa_pss_rsae_sha512: 0x0806,
  ed25519: 0x0807,
  ed448: 0x0808,
  rsa_pss_pss_sha256: 0x0809,
  rsa_pss_pss_sha384: 0x080a,
  rsa_pss_pss_sha512: 0x080b,
  rsa_pkcs1_sha1: 0x0201,
  ecdsa_sha1: 0x0203,
} as const;

/** PskKeyExchangeMode (RFC 8446 §4.2.9). */
export const PskKeyExchangeMode = {
  psk_ke: 0,
  psk_dhe_ke: 1,
} as const;

/** KeyUpdateRequest (RFC 8446 §4.6.3). */
export const KeyUpdateRequest = {
  update_not_requested: 0,
  update_requested: 1,
} as const;

/** ProtocolVersion values (RFC 8446 §4.1.2, §4.2.1). */
export const ProtocolVersion = {
  TLS1_0: 0x0301,
  TLS1_1: 0x0302,
  TLS1_2: 0x0303,
  TLS1_3: 0x0304,
} as const;

/** The legacy_version every TLS 1.3 ClientHello/ServerHello carries (0x0303). */
export const LEGACY_VERSION = 0x0303;

function reverse(table: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(table).map(([k, v]) => [v, k]));
}
const hex4 = (n: number): string => `0x${n.toString(16).padStart(4, '0')}`;
const handshakeNames = reverse(HandshakeType);
const contentNames = reverse(ContentType);
const extensionNames = reverse(ExtensionType);
const suiteNames = reverse(CipherSuite);
const groupNames = reverse(NamedGroup);
const schemeNames = reverse(SignatureScheme);
const versionNames = reverse(ProtocolVersion);

/** Name of a HandshakeType, or `handshake_<n>`. */
export function handshakeTypeName(type: number): string {
  return handshakeNames.get(type) ?? `handshake_${type}`;
}

/** Name of a ContentType, or `content_<n>`. */
export function contentTypeName(type: number): string {
  return contentNames.get(type) ?? `content_${type}`;
}

/** Name of an ExtensionType, or `extension_0x....`. */
export function extensionTypeName(type: number): string {
  return extensionNames.get(type) ?? `extension_${hex4(type)}`;
}

/** Name of a cipher suite, or `cipher_suite_0x....`. */
export function cipherSuiteName(suite: number): string {
  return suiteNames.get(suite) ?? `cipher_suite_${hex4(suite)}`;
}

/** Name of a NamedGroup, or `group_0x....`. */
export function namedGroupName(group: number): string {
  return groupNames.get(group) ?? `group_${hex4(group)}`;
}

/** Name of a SignatureScheme, or `signature_scheme_0x....`. */
export function signatureSchemeName(scheme: number): string {
  return schemeNames.get(scheme) ?? `signature_scheme_${hex4(scheme)}`;
}

/** Name of a ProtocolVersion, or `version_0x....`. */
export function protocolVersionName(version: number): string {
  return versionNames.get(version) ?? `version_${hex4(version)}`;
}

/** True for a GREASE codepoint (RFC 8701: 0x?A?A with both bytes equal). */
export function isGrease(value: number): boolean {
  return (value & 0x0f0f) === 0x0a0a && value >> 8 === (value & 0xff);
}
