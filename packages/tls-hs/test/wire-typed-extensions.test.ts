/** Typed views of ClientHello, ServerHello, HelloRetryRequest and EncryptedExtensions extension blocks. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { ExtensionType as X } from '../src/wire/constants.js';
import { decodeHandshake } from '../src/wire/handshakeMessage.js';
import { parseClientHello } from '../src/wire/clientHello.js';
import { parseServerHello } from '../src/wire/serverHello.js';
import { parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import type { Extension } from '../src/wire/extensions/extensionList.js';
import { decodeClientHelloExtensions } from '../src/wire/extensions/clientHelloExtensions.js';
import {
  decodeEncryptedExtensionsFields, decodeHelloRetryRequestExtensions, decodeServerHelloExtensions,
} from '../src/wire/extensions/serverHelloExtensions.js';
import { encodeServerName } from '../src/wire/extensions/serverName.js';
import { encodeSupportedGroups } from '../src/wire/extensions/supportedGroups.js';
import { encodeSignatureAlgorithms, encodeSignatureAlgorithmsCert } from '../src/wire/extensions/signatureAlgorithms.js';
import { encodeAlpn } from '../src/wire/extensions/applicationLayerProtocolNegotiation.js';
import { encodeSupportedVersionsClient, encodeSupportedVersionsServer } from '../src/wire/extensions/supportedVersions.js';
import { encodeKeyShareClient, encodeKeyShareHelloRetryRequest } from '../src/wire/extensions/keyShare.js';
import { encodePskKeyExchangeModes } from '../src/wire/extensions/pskKeyExchangeModes.js';
import { encodePreSharedKeyClient } from '../src/wire/extensions/preSharedKey.js';
import { encodeCookie } from '../src/wire/extensions/cookie.js';
import { encodeCertificateAuthorities } from '../src/wire/extensions/certificateAuthorities.js';
import { encodeRecordSizeLimit } from '../src/wire/extensions/recordSizeLimit.js';
import { bytesOf, fixture, hex, throwsAlert, toHex } from './wire-helpers.js';

const v = fixture<{ named: Record<string, string> }>('vectors-rfc8448-simple.json');
const res = fixture<{ client_hello: string }>('rfc8448-resumption-client-hello.json');
const body = (h: string) => decodeHandshake(hex(h)).body;
const s = suite('wire typed extension views');

s('RFC 8448 §3 ClientHello / ServerHello / EncryptedExtensions', () => {
  const ch = parseClientHello(body(v.named.client_hello));
  const c = decodeClientHelloExtensions(ch.extensions);
  assert.is(c.serverName, 'server');
  assert.equal(c.supportedVersions, [0x0304]);
  assert.is(c.keyShares?.[0].group, 0x1d);
  assert.is(c.signatureAlgorithms?.length, 15);
  assert.equal(c.pskKeyExchangeModes, [1]);
  assert.is(c.recordSizeLimit, 0x4001);
  assert.not.ok(c.earlyData);
  assert.is(c.preSharedKey, undefined);
  const offered = new Set(ch.extensions.map((e) => e.type));
  const sh = decodeServerHelloExtensions(parseServerHello(body(v.named.server_hello)).extensions, offered);
  assert.is(sh.selectedVersion, 0x0304);
  assert.is(toHex(sh.keyShare!.keyExchange), v.named.server_x25519_public_key);
  assert.is(sh.selectedIdentity, undefined);
  const ee = decodeEncryptedExtensionsFields(parseEncryptedExtensions(body(v.named.encrypted_extensions)).extensions, offered);
  assert.ok(ee.serverNameAcknowledged);
  assert.is(ee.recordSizeLimit, 0x4001);
  assert.is(ee.supportedGroups?.length, 9);
  assert.is(ee.alpn, undefined);
});

s('RFC 8448 §4 resumption ClientHello: PSK and early data', () => {
  const c = decodeClientHelloExtensions(parseClientHello(body(res.client_hello)).extensions);
  assert.ok(c.earlyData);
  assert.is(c.preSharedKey?.identities.length, 1);
});

s('every ClientHello field', () => {
  const psk = { identities: [{ identity: hex('01'), obfuscatedTicketAge: 5 }], binders: [new Uint8Array(32)] };
  const exts: Extension[] = [
    { type: X.server_name, data: encodeServerName('example.net') },
    { type: X.supported_groups, data: encodeSupportedGroups([0x11ec]) },
    { type: X.signature_algorithms, data: encodeSignatureAlgorithms([0x0807]) },
    { type: X.signature_algorithms_cert, data: encodeSignatureAlgorithmsCert([0x0401]) },
    { type: X.application_layer_protocol_negotiation, data: encodeAlpn(['h3']) },
    { type: X.supported_versions, data: encodeSupportedVersionsClient([0x0304]) },
    { type: X.key_share, data: encodeKeyShareClient([{ group: 0x11ec, keyExchange: bytesOf(1216) }]) },
    { type: X.psk_key_exchange_modes, data: encodePskKeyExchangeModes([1]) },
    { type: X.early_data, data: new Uint8Array(0) },
    { type: X.cookie, data: encodeCookie(hex('c0')) },
    { type: X.certificate_authorities, data: encodeCertificateAuthorities([hex('3000')]) },
    { type: X.post_handshake_auth, data: new Uint8Array(0) },
    { type: X.quic_transport_parameters, data: hex('0102') },
    { type: X.record_size_limit, data: encodeRecordSizeLimit(1000) },
    { type: 0xdada, data: hex('ff') },
    { type: X.pre_shared_key, data: encodePreSharedKeyClient(psk) },
  ];
  const c = decodeClientHelloExtensions(exts);
  assert.equal(c, {
    earlyData: true,
    postHandshakeAuth: true,
    serverName: 'example.net',
    supportedGroups: [0x11ec],
    signatureAlgorithms: [0x0807],
    signatureAlgorithmsCert: [0x0401],
    alpn: ['h3'],
    supportedVersions: [0x0304],
    keyShares: [{ group: 0x11ec, keyExchange: bytesOf(1216) }],
    pskKeyExchangeModes: [1],
    cookie: hex('c0'),
    certificateAuthorities: [hex('3000')],
    quicTransportParameters: hex('0102'),
    recordSizeLimit: 1000,
    preSharedKey: psk,
  });
  throwsAlert(() => decodeClientHelloExtensions([{ type: X.post_handshake_auth, data: hex('00') }]), 'decode_error');
  throwsAlert(() => decodeClientHelloExtensions([{ type: X.oid_filters, data: hex('') }]), 'illegal_parameter');
  throwsAlert(() => decodeClientHelloExtensions([{ type: X.early_data, data: hex('00') }]), 'decode_error');
});

s('ServerHello with PSK, HelloRetryRequest, EncryptedExtensions with ALPN/QUIC/early data', () => {
  const offered = new Set<number>([X.supported_versions, X.key_share, X.pre_shared_key, X.application_layer_protocol_negotiation, X.quic_transport_parameters, X.early_data]);
  const sh = decodeServerHelloExtensions([{ type: X.pre_shared_key, data: hex('0000') }], offered);
  assert.is(sh.selectedIdentity, 0);
  const hrr = decodeHelloRetryRequestExtensions([
    { type: X.supported_versions, data: encodeSupportedVersionsServer(0x0304) },
    { type: X.key_share, data: encodeKeyShareHelloRetryRequest(0x17) },
    { type: X.cookie, data: encodeCookie(hex('abcd')) },
  ], offered);
  assert.equal(hrr, { selectedVersion: 0x0304, selectedGroup: 0x17, cookie: hex('abcd') });
  const ee = decodeEncryptedExtensionsFields([
    { type: X.application_layer_protocol_negotiation, data: encodeAlpn(['hq-interop']) },
    { type: X.quic_transport_parameters, data: hex('0400') },
    { type: X.early_data, data: new Uint8Array(0) },
  ], offered);
  assert.equal(ee, { serverNameAcknowledged: false, earlyData: true, alpn: 'hq-interop', quicTransportParameters: hex('0400') });
  throwsAlert(() => decodeEncryptedExtensionsFields([{ type: X.server_name, data: new Uint8Array(0) }], offered), 'unsupported_extension');
  throwsAlert(() => decodeEncryptedExtensionsFields([{ type: X.key_share, data: new Uint8Array(0) }], offered), 'illegal_parameter');
  throwsAlert(() => decodeServerHelloExtensions([{ type: X.cookie, data: encodeCookie(hex('01')) }], offered), 'illegal_parameter');
  throwsAlert(() => decodeHelloRetryRequestExtensions([{ type: X.pre_shared_key, data: hex('0000') }], offered), 'illegal_parameter');
  throwsAlert(() => decodeEncryptedExtensionsFields([{ type: X.application_layer_protocol_negotiation, data: encodeAlpn(['a', 'b']) }], offered), 'decode_error');
});

s.run();
