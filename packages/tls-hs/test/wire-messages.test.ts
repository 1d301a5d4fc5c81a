/** Round trips and strict-decoding failures of every TLS 1.3 handshake message codec. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { X509Certificate, constants, createHash, verify } from 'node:crypto';
import { ExtensionType as X, HandshakeType, LEGACY_VERSION } from '../src/wire/constants.js';
import { decodeHandshake } from '../src/wire/handshakeMessage.js';
import { encodeClientHello, parseClientHello, type ClientHello } from '../src/wire/clientHello.js';
import {
  HELLO_RETRY_REQUEST_RANDOM, downgradeSentinel, encodeServerHello, isHelloRetryRequest, parseServerHello,
  type ServerHello,
} from '../src/wire/serverHello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import { encodeCertificate, parseCertificate, type Certificate } from '../src/wire/certificate.js';
import { encodeCertificateRequest, parseCertificateRequest } from '../src/wire/certificateRequest.js';
import {
  certificateVerifySignedContent, encodeCertificateVerify, parseCertificateVerify,
} from '../src/wire/certificateVerify.js';
import { encodeFinished, parseFinished } from '../src/wire/finished.js';
import { encodeNewSessionTicket, parseNewSessionTicket, type NewSessionTicket } from '../src/wire/newSessionTicket.js';
import { encodeKeyUpdate, parseKeyUpdate } from '../src/wire/keyUpdate.js';
import { encodeEndOfEarlyData, parseEndOfEarlyData } from '../src/wire/endOfEarlyData.js';
import { messageHash } from '../src/wire/messageHash.js';
import { encodeSignatureAlgorithms } from '../src/wire/extensions/signatureAlgorithms.js';
import { encodeKeyShareHelloRetryRequest, parseKeyShareHelloRetryRequest } from '../src/wire/extensions/keyShare.js';
import { encodeSupportedVersionsServer } from '../src/wire/extensions/supportedVersions.js';
import { encodeCookie, parseCookie } from '../src/wire/extensions/cookie.js';
import { findExtension } from '../src/wire/extensions/extensionList.js';
import { bytesOf, concat, fixture, hex, throwsAlert, toHex } from './wire-helpers.js';

const v = fixture<{ named: Record<string, string>; server_certificate_der: string }>('vectors-rfc8448-simple.json');
const chBody = decodeHandshake(hex(v.named.client_hello)).body;
const shBody = decodeHandshake(hex(v.named.server_hello)).body;

const sampleCh: ClientHello = {
  legacyVersion: LEGACY_VERSION,
  random: bytesOf(32, 7),
  legacySessionId: bytesOf(32, 8),
  cipherSuites: [0x1301, 0x1302],
  extensions: [
    { type: X.supported_versions, data: hex('020304') },
    { type: 0x4a4a, data: new Uint8Array(0) },
    { type: X.pre_shared_key, data: bytesOf(10) },
  ],
};

const s = suite('wire messages');

s('ClientHello round trip, unknown extensions kept in order', () => {
  const body = encodeClientHello(sampleCh);
  const ch = parseClientHello(body);
  assert.equal(ch.random, sampleCh.random);
  assert.equal(ch.legacySessionId, sampleCh.legacySessionId);
  assert.equal(ch.cipherSuites, [0x1301, 0x1302]);
  assert.equal(ch.extensions.map((e) => e.type), [X.supported_versions, 0x4a4a, X.pre_shared_key]);
  assert.equal(encodeClientHello(ch), body);
});

s('ClientHello without extensions (TLS 1.2 form) parses with none', () => {
  const tls12 = concat(hex('0303'), bytesOf(32), hex('00 0002 c02f 01 00'));
  assert.equal(parseClientHello(tls12).extensions, []);
});

s('ClientHello: truncated at every byte → decode_error', () => {
  // Cutting within the extension block must fail; cutting exactly after compression methods yields the
  // extension-less form, which is valid.
  const noExtLen = 2 + 32 + 1 + 2 + 6 + 2;
  for (let n = 0; n < chBody.length; n++) {
    if (n === noExtLen) continue;
    throwsAlert(() => parseClientHello(chBody.subarray(0, n)), 'decode_error', `cut at ${n}`);
  }
});

s('ClientHello: trailing bytes, bad lengths', () => {
  throwsAlert(() => parseClientHello(concat(chBody, hex('00'))), 'decode_error', 'trailing');
  const odd = chBody.slice();
  odd[2 + 32 + 1 + 1] = 5; // cipher_suites length 6 → 5
  throwsAlert(() => parseClientHello(odd), 'decode_error', 'odd suites');
  const sid = concat(hex('0303'), bytesOf(32), hex('21'), bytesOf(33), hex('0002130101000000'));
  throwsAlert(() => parseClientHello(sid), 'decode_error', 'session id > 32');
  const noSuites = concat(hex('0303'), bytesOf(32), hex('00 0000 0100'));
  throwsAlert(() => parseClientHello(noSuites), 'decode_error', 'empty cipher_suites');
  const shortExt = concat(hex('0303'), bytesOf(32), hex('00 0002 1301 0100 0004 002b 0000'));
  throwsAlert(() => parseClientHello(shortExt), 'decode_error', 'extensions < 8 bytes');
});

s('ClientHello: forbidden values', () => {
  const ver = chBody.slice();
  ver[1] = 0x01;
  throwsAlert(() => parseClientHello(ver), 'protocol_version', 'legacy_version 0x0301');
  const comp = concat(hex('0303'), bytesOf(32), hex('00 0002 1301 02 0001 0008 002b 0004 03 0304 00'));
  throwsAlert(() => parseClientHello(comp), 'illegal_parameter', 'two compression methods');
  const comp1 = chBody.slice();
  assert.is(comp1[2 + 32 + 1 + 2 + 6], 1, 'compression methods length');
  comp1[2 + 32 + 1 + 2 + 6 + 1] = 1;
  throwsAlert(() => parseClientHello(comp1), 'illegal_parameter', 'compression [1]');
});

s('ClientHello: duplicate extension and pre_shared_key not last → illegal_parameter', () => {
  const dup = encodeClientHello({ ...sampleCh, extensions: [{ type: 0x4a4a, data: hex('00') }, { type: 0x2a2a, data: hex('00') }] });
  dup[dup.length - 5] = 0x4a; // second extension's type 0x2a2a → 0x4a4a
  dup[dup.length - 4] = 0x4a;
  throwsAlert(() => parseClientHello(dup), 'illegal_parameter', 'duplicate');
  const pskFirst = {
    ...sampleCh,
    extensions: [{ type: X.pre_shared_key, data: bytesOf(10) }, { type: X.supported_versions, data: hex('020304') }],
  };
  throwsAlert(() => encodeClientHello(pskFirst), 'internal_error', 'encoder refuses');
  const good = encodeClientHello({ ...sampleCh, extensions: [{ type: 0x4a4a, data: bytesOf(10) }, { type: X.supported_versions, data: hex('020304') }] });
  const extStart = good.length - (4 + 10) - (4 + 3);
  good[extStart] = 0x00;
  good[extStart + 1] = X.pre_shared_key;
  throwsAlert(() => parseClientHello(good), 'illegal_parameter', 'psk first');
  throwsAlert(() => encodeClientHello({ ...sampleCh, random: new Uint8Array(31) }), 'internal_error');
});

s('ServerHello and HelloRetryRequest', () => {
  const sh = parseServerHello(shBody);
  assert.not.ok(isHelloRetryRequest(sh));
  assert.is(downgradeSentinel(sh.random), undefined);
  const hrr: ServerHello = {
    legacyVersion: LEGACY_VERSION,
    random: HELLO_RETRY_REQUEST_RANDOM,
    legacySessionIdEcho: bytesOf(32),
    cipherSuite: 0x1301,
    extensions: [
      { type: X.supported_versions, data: encodeSupportedVersionsServer(0x0304) },
      { type: X.key_share, data: encodeKeyShareHelloRetryRequest(0x17) },
      { type: X.cookie, data: encodeCookie(bytesOf(40)) },
    ],
  };
  const body = encodeServerHello(hrr);
  const back = parseServerHello(body);
  assert.ok(isHelloRetryRequest(back));
  assert.is(parseKeyShareHelloRetryRequest(findExtension(back.extensions, X.key_share)!.data), 0x17);
  assert.equal(parseCookie(findExtension(back.extensions, X.cookie)!.data), bytesOf(40));
  assert.equal(encodeServerHello(back), body);
  // SHA-256("HelloRetryRequest"), as RFC 8446 §4.1.3 defines the constant.
  assert.is(toHex(HELLO_RETRY_REQUEST_RANDOM), createHash('sha256').update('HelloRetryRequest').digest('hex'));
  assert.not.ok(isHelloRetryRequest({ random: new Uint8Array(31) }));
});

s('ServerHello errors', () => {
  for (let n = 0; n < shBody.length; n++) {
    if (n === 2 + 32 + 1 + 2 + 1) continue; // extension-less (TLS 1.2) form
    throwsAlert(() => parseServerHello(shBody.subarray(0, n)), 'decode_error', `cut at ${n}`);
  }
  assert.equal(parseServerHello(shBody.subarray(0, 38)).extensions, []);
  throwsAlert(() => parseServerHello(concat(shBody, hex('00'))), 'decode_error', 'trailing');
  const ver = shBody.slice();
  ver[1] = 0x04;
  throwsAlert(() => parseServerHello(ver), 'protocol_version');
  const comp = shBody.slice();
  comp[2 + 32 + 1 + 2] = 1;
  throwsAlert(() => parseServerHello(comp), 'illegal_parameter');
  throwsAlert(() => encodeServerHello({ ...parseServerHello(shBody), random: new Uint8Array(3) }), 'internal_error');
});

s('downgrade sentinels', () => {
  assert.is(downgradeSentinel(concat(bytesOf(24), hex('444f574e47524401'))), 'tls12');
  assert.is(downgradeSentinel(concat(bytesOf(24), hex('444f574e47524400'))), 'tls11');
  assert.is(downgradeSentinel(new Uint8Array(8)), undefined);
});

s('EncryptedExtensions', () => {
  const ee = { extensions: [{ type: X.application_layer_protocol_negotiation, data: hex('0003026833') }] };
  assert.equal(parseEncryptedExtensions(encodeEncryptedExtensions(ee)), ee);
  assert.equal(parseEncryptedExtensions(hex('0000')).extensions, []);
  throwsAlert(() => parseEncryptedExtensions(hex('')), 'decode_error');
  throwsAlert(() => parseEncryptedExtensions(hex('000000')), 'decode_error', 'trailing');
  throwsAlert(() => parseEncryptedExtensions(hex('0008 0010 0000 0010 0000')), 'illegal_parameter', 'duplicate');
  throwsAlert(() => parseEncryptedExtensions(hex('0005 0010 0002 00')), 'decode_error', 'inner overrun');
  throwsAlert(() => encodeEncryptedExtensions({ extensions: [{ type: 1, data: hex('') }, { type: 1, data: hex('') }] }), 'internal_error');
});

s('Certificate with several entries and per-entry extensions', () => {
  const c: Certificate = {
    requestContext: hex('0102'),
    entries: [
      { data: bytesOf(500, 1), extensions: [{ type: X.status_request, data: bytesOf(20) }] },
      { data: bytesOf(70000, 2), extensions: [] },
    ],
  };
  const body = encodeCertificate(c);
  assert.equal(parseCertificate(body), c);
  assert.equal(parseCertificate(hex('00 000000')).entries, []);
  throwsAlert(() => parseCertificate(hex('00 000005 000000 0000')), 'decode_error', 'empty cert_data');
  throwsAlert(() => parseCertificate(hex('00 000006 000001 aa 0000 ff')), 'decode_error', 'entry overruns');
  throwsAlert(() => parseCertificate(hex('00 00000e 000001aa 0008 0005 0000 0005 0000')), 'illegal_parameter', 'duplicate ext');
  throwsAlert(() => parseCertificate(concat(body, hex('00'))), 'decode_error', 'trailing');
  throwsAlert(() => encodeCertificate({ requestContext: hex(''), entries: [{ data: hex(''), extensions: [] }] }), 'internal_error');
});

s('CertificateRequest', () => {
  const cr = { requestContext: hex(''), extensions: [{ type: X.signature_algorithms, data: encodeSignatureAlgorithms([0x0804, 0x0403]) }] };
  assert.equal(parseCertificateRequest(encodeCertificateRequest(cr)), cr);
  throwsAlert(() => parseCertificateRequest(hex('00 0004 002f 0000')), 'missing_extension');
  throwsAlert(() => parseCertificateRequest(hex('00 0000')), 'decode_error', 'empty extensions');
  throwsAlert(() => parseCertificateRequest(hex('05 00')), 'decode_error');
});

s('CertificateVerify and the signed content; RFC 8448 signature verifies over it', () => {
  const cv = { scheme: 0x0807, signature: bytesOf(64) };
  assert.equal(parseCertificateVerify(encodeCertificateVerify(cv)), cv);
  throwsAlert(() => parseCertificateVerify(hex('0807 0040 00')), 'decode_error');
  throwsAlert(() => parseCertificateVerify(hex('0807 0000 00')), 'decode_error', 'trailing');
  const h = bytesOf(32);
  const sc = certificateVerifySignedContent(h, 'server');
  assert.is(sc.length, 64 + 33 + 1 + 32);
  assert.ok(sc.subarray(0, 64).every((b) => b === 0x20));
  assert.is(Buffer.from(sc.subarray(64, 97)).toString('latin1'), 'TLS 1.3, server CertificateVerify');
  assert.is(sc[97], 0);
  assert.equal(sc.subarray(98), h);
  assert.is(Buffer.from(certificateVerifySignedContent(h, 'client').subarray(64, 97)).toString('latin1'), 'TLS 1.3, client CertificateVerify');
  throwsAlert(() => certificateVerifySignedContent(new Uint8Array(0), 'server'), 'internal_error');
  // The real thing: RFC 8448's RSA-PSS signature over Hash(CH..Certificate).
  const th = createHash('sha256').update(hex(v.named.client_hello + v.named.server_hello + v.named.encrypted_extensions + v.named.certificate)).digest();
  const sig = parseCertificateVerify(decodeHandshake(hex(v.named.certificate_verify)).body);
  const key = new X509Certificate(Buffer.from(v.server_certificate_der, 'hex')).publicKey;
  const ok = verify('sha256', certificateVerifySignedContent(th, 'server'), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig.signature);
  assert.ok(ok);
  assert.not.ok(verify('sha256', certificateVerifySignedContent(th, 'client'), { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 }, sig.signature));
});

s('Finished', () => {
  const f = { verifyData: bytesOf(48) };
  assert.equal(parseFinished(encodeFinished(f), 48), f);
  throwsAlert(() => parseFinished(bytesOf(32), 48), 'decode_error');
  throwsAlert(() => parseFinished(bytesOf(49), 48), 'decode_error');
});

s('NewSessionTicket', () => {
  const t: NewSessionTicket = { lifetime: 604800, ageAdd: 0xffffffff, nonce: hex('01'), ticket: bytesOf(100), extensions: [{ type: 0x0a0a, data: hex('') }] };
  assert.equal(parseNewSessionTicket(encodeNewSessionTicket(t)), t);
  const long = encodeNewSessionTicket(t);
  long[3] = 0x81; // 604801
  throwsAlert(() => parseNewSessionTicket(long), 'illegal_parameter');
  throwsAlert(() => encodeNewSessionTicket({ ...t, lifetime: 604801 }), 'internal_error');
  throwsAlert(() => parseNewSessionTicket(hex('00000001 00000000 00 0000 0000')), 'decode_error', 'empty ticket');
  throwsAlert(() => parseNewSessionTicket(hex('00000001 00000000 00 0001 aa')), 'decode_error', 'no extensions');
  throwsAlert(() => parseNewSessionTicket(concat(long, hex('00'))), 'decode_error', 'trailing');
});

s('KeyUpdate', () => {
  assert.equal(parseKeyUpdate(encodeKeyUpdate({ updateRequested: true })), { updateRequested: true });
  assert.equal(parseKeyUpdate(encodeKeyUpdate({ updateRequested: false })), { updateRequested: false });
  throwsAlert(() => parseKeyUpdate(hex('02')), 'illegal_parameter');
  throwsAlert(() => parseKeyUpdate(hex('')), 'decode_error');
  throwsAlert(() => parseKeyUpdate(hex('0100')), 'decode_error');
});

s('EndOfEarlyData', () => {
  assert.is(encodeEndOfEarlyData().length, 0);
  parseEndOfEarlyData(new Uint8Array(0));
  throwsAlert(() => parseEndOfEarlyData(hex('00')), 'decode_error');
});

s('message_hash', () => {
  const h = createHash('sha384').update(chBody).digest();
  const m = messageHash(h);
  assert.is(toHex(m.subarray(0, 4)), 'fe000030');
  const d = decodeHandshake(m);
  assert.is(d.type, HandshakeType.message_hash);
  assert.equal(d.body, new Uint8Array(h));
  throwsAlert(() => messageHash(new Uint8Array(0)), 'internal_error');
});

s.run();
