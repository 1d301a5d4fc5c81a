/**
 * The real handshake messages of RFC 8448 §3 decode into the expected fields and re-encode byte-identically.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { decodeHandshake, encodeHandshake } from '../src/wire/handshakeMessage.js';
import { CipherSuite, ExtensionType as X, HandshakeType, NamedGroup, SignatureScheme } from '../src/wire/constants.js';
import { encodeClientHello, parseClientHello } from '../src/wire/clientHello.js';
import { encodeServerHello, isHelloRetryRequest, parseServerHello } from '../src/wire/serverHello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import { encodeCertificate, parseCertificate } from '../src/wire/certificate.js';
import { encodeCertificateVerify, parseCertificateVerify } from '../src/wire/certificateVerify.js';
import { encodeFinished, parseFinished } from '../src/wire/finished.js';
import { encodeNewSessionTicket, parseNewSessionTicket } from '../src/wire/newSessionTicket.js';
import { findExtension, requireExtension } from '../src/wire/extensions/extensionList.js';
import { checkExtensions } from '../src/wire/extensions/extensionRules.js';
import { parseServerName, parseServerNameAck } from '../src/wire/extensions/serverName.js';
import { parseSupportedGroups } from '../src/wire/extensions/supportedGroups.js';
import { parseSignatureAlgorithms } from '../src/wire/extensions/signatureAlgorithms.js';
import { parseKeyShareClient, parseKeyShareServer } from '../src/wire/extensions/keyShare.js';
import { parseSupportedVersionsClient, parseSupportedVersionsServer } from '../src/wire/extensions/supportedVersions.js';
import { parsePskKeyExchangeModes } from '../src/wire/extensions/pskKeyExchangeModes.js';
import { parseRecordSizeLimit } from '../src/wire/extensions/recordSizeLimit.js';
import { parseMaxEarlyDataSize } from '../src/wire/extensions/earlyData.js';
import { fixture, hex, toHex } from './wire-helpers.js';

const v = fixture<{ named: Record<string, string>; server_certificate_der: string }>('vectors-rfc8448-simple.json');
const msg = (name: string) => decodeHandshake(hex(v.named[name]));
const s = suite('wire RFC 8448 §3 messages');

s('ClientHello', () => {
  const m = msg('client_hello');
  assert.is(m.type, HandshakeType.client_hello);
  const ch = parseClientHello(m.body);
  assert.is(toHex(ch.random), 'cb34ecb1e78163ba1c38c6dacb196a6dffa21a8d9912ec18a2ef6283024dece7');
  assert.is(ch.legacySessionId.length, 0);
  assert.equal(ch.cipherSuites, [CipherSuite.TLS_AES_128_GCM_SHA256, CipherSuite.TLS_CHACHA20_POLY1305_SHA256, CipherSuite.TLS_AES_256_GCM_SHA384]);
  assert.equal(ch.extensions.map((e) => e.type), [X.server_name, X.renegotiation_info, X.supported_groups, X.session_ticket, X.key_share, X.supported_versions, X.signature_algorithms, X.psk_key_exchange_modes, X.record_size_limit]);
  checkExtensions(ch.extensions, 'CH');
  assert.is(parseServerName(requireExtension(ch.extensions, X.server_name, 'CH')), 'server');
  assert.equal(parseSupportedGroups(requireExtension(ch.extensions, X.supported_groups, 'CH')), [0x1d, 0x17, 0x18, 0x19, 0x100, 0x101, 0x102, 0x103, 0x104]);
  const shares = parseKeyShareClient(requireExtension(ch.extensions, X.key_share, 'CH'));
  assert.is(shares.length, 1);
  assert.is(shares[0].group, NamedGroup.x25519);
  assert.is(toHex(shares[0].keyExchange), v.named.client_x25519_public_key);
  assert.equal(parseSupportedVersionsClient(requireExtension(ch.extensions, X.supported_versions, 'CH')), [0x0304]);
  const sigs = parseSignatureAlgorithms(requireExtension(ch.extensions, X.signature_algorithms, 'CH'));
  assert.is(sigs.length, 15);
  assert.is(sigs[0], SignatureScheme.ecdsa_secp256r1_sha256);
  assert.equal(parsePskKeyExchangeModes(requireExtension(ch.extensions, X.psk_key_exchange_modes, 'CH')), [1]);
  assert.is(parseRecordSizeLimit(requireExtension(ch.extensions, X.record_size_limit, 'CH')), 0x4001);
  assert.equal(encodeHandshake(m.type, encodeClientHello(ch)), m.raw);
});

s('ServerHello', () => {
  const m = msg('server_hello');
  const sh = parseServerHello(m.body);
  assert.not.ok(isHelloRetryRequest(sh));
  assert.is(sh.cipherSuite, CipherSuite.TLS_AES_128_GCM_SHA256);
  checkExtensions(sh.extensions, 'SH', new Set([X.key_share, X.supported_versions]));
  const share = parseKeyShareServer(requireExtension(sh.extensions, X.key_share, 'SH'));
  assert.is(share.group, NamedGroup.x25519);
  assert.is(toHex(share.keyExchange), v.named.server_x25519_public_key);
  assert.is(parseSupportedVersionsServer(requireExtension(sh.extensions, X.supported_versions, 'SH')), 0x0304);
  assert.equal(encodeHandshake(m.type, encodeServerHello(sh)), m.raw);
});

s('EncryptedExtensions', () => {
  const m = msg('encrypted_extensions');
  const ee = parseEncryptedExtensions(m.body);
  assert.equal(ee.extensions.map((e) => e.type), [X.supported_groups, X.record_size_limit, X.server_name]);
  checkExtensions(ee.extensions, 'EE', new Set(parseClientHello(msg('client_hello').body).extensions.map((e) => e.type)));
  parseServerNameAck(requireExtension(ee.extensions, X.server_name, 'EE'));
  assert.equal(encodeHandshake(m.type, encodeEncryptedExtensions(ee)), m.raw);
});

s('Certificate', () => {
  const m = msg('certificate');
  const c = parseCertificate(m.body);
  assert.is(c.requestContext.length, 0);
  assert.is(c.entries.length, 1);
  assert.is(toHex(c.entries[0].data), v.server_certificate_der);
  assert.is(c.entries[0].extensions.length, 0);
  assert.equal(encodeHandshake(m.type, encodeCertificate(c)), m.raw);
});

s('CertificateVerify', () => {
  const m = msg('certificate_verify');
  const cv = parseCertificateVerify(m.body);
  assert.is(cv.scheme, SignatureScheme.rsa_pss_rsae_sha256);
  assert.is(cv.signature.length, 128);
  assert.equal(encodeHandshake(m.type, encodeCertificateVerify(cv)), m.raw);
});

s('Finished (server and client)', () => {
  for (const [name, vd] of [['server_finished', 'server_finished_verify_data'], ['client_finished', 'client_finished_verify_data']]) {
    const m = msg(name);
    const f = parseFinished(m.body, 32);
    assert.is(toHex(f.verifyData), v.named[vd]);
    assert.equal(encodeHandshake(m.type, encodeFinished(f)), m.raw);
  }
});

s('NewSessionTicket', () => {
  const m = msg('new_session_ticket');
  const t = parseNewSessionTicket(m.body);
  assert.is(t.lifetime, 30);
  assert.is(t.ageAdd, 0xfad6aac5);
  assert.is(toHex(t.nonce), '0000');
  assert.is(t.ticket.length, 0xb2);
  checkExtensions(t.extensions, 'NST');
  assert.is(parseMaxEarlyDataSize(findExtension(t.extensions, X.early_data)!.data), 0x400);
  assert.equal(encodeHandshake(m.type, encodeNewSessionTicket(t)), m.raw);
});

s.run();
