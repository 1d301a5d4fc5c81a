/** Typed extension codecs, the generic list, the RFC 8446 §4.2 table checker and the PSK binder helpers. */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createHash } from 'node:crypto';
import { ExtensionType as X, LEGACY_VERSION } from '../src/wire/constants.js';
import { decodeHandshake, encodeHandshake } from '../src/wire/handshakeMessage.js';
import { encodeClientHello, parseClientHello } from '../src/wire/clientHello.js';
import { TlsReader } from '../src/wire/reader.js';
import { TlsWriter } from '../src/wire/writer.js';
import { TlsAlert } from '../src/alerts.js';
import { findExtension, readExtensions, requireExtension, writeExtensions } from '../src/wire/extensions/extensionList.js';
import { checkExtensions, extensionAllowedIn, isKnownTls13Extension } from '../src/wire/extensions/extensionRules.js';
import { encodeServerName, isValidSniHostName, parseServerName, parseServerNameAck } from '../src/wire/extensions/serverName.js';
import { encodeSupportedGroups, parseSupportedGroups } from '../src/wire/extensions/supportedGroups.js';
import {
  encodeSignatureAlgorithms, encodeSignatureAlgorithmsCert, parseSignatureAlgorithms, parseSignatureAlgorithmsCert,
} from '../src/wire/extensions/signatureAlgorithms.js';
import { encodeAlpn, parseAlpn, parseAlpnSelected } from '../src/wire/extensions/applicationLayerProtocolNegotiation.js';
import {
  encodeSupportedVersionsClient, encodeSupportedVersionsServer, parseSupportedVersionsClient, parseSupportedVersionsServer,
} from '../src/wire/extensions/supportedVersions.js';
import {
  encodeKeyShareClient, encodeKeyShareHelloRetryRequest, encodeKeyShareServer, parseKeyShareClient,
  parseKeyShareHelloRetryRequest, parseKeyShareServer,
} from '../src/wire/extensions/keyShare.js';
import { encodePskKeyExchangeModes, parsePskKeyExchangeModes } from '../src/wire/extensions/pskKeyExchangeModes.js';
import {
  bindersLength, encodePreSharedKeyClient, encodePreSharedKeyServer, parsePreSharedKeyClient, parsePreSharedKeyServer,
  rewriteBinders, truncatedClientHelloLength,
} from '../src/wire/extensions/preSharedKey.js';
import {
  encodeEarlyDataIndication, encodeMaxEarlyDataSize, parseEarlyDataIndication, parseMaxEarlyDataSize,
} from '../src/wire/extensions/earlyData.js';
import { encodeCookie, parseCookie } from '../src/wire/extensions/cookie.js';
import { encodeCertificateAuthorities, parseCertificateAuthorities } from '../src/wire/extensions/certificateAuthorities.js';
import {
  QUIC_TRANSPORT_PARAMETERS, quicTransportParametersExtension, quicTransportParametersOf,
} from '../src/wire/extensions/quicTransportParameters.js';
import { encodeRecordSizeLimit, parseRecordSizeLimit } from '../src/wire/extensions/recordSizeLimit.js';
import { bytesOf, concat, fixture, hex, throwsAlert, toHex } from './wire-helpers.js';

const s = suite('wire extensions');

/** host_name list with the given raw entries. */
function sniList(...names: Uint8Array[]): Uint8Array {
  const w = new TlsWriter();
  w.block16((l) => { for (const n of names) l.u8(0).vec16(n); });
  return w.finish();
}
const ascii = (x: string): Uint8Array => Uint8Array.from(Buffer.from(x, 'latin1'));

s('server_name round trip and RFC 6066 wire form', () => {
  assert.is(toHex(encodeServerName('server')), '0009' + '00' + '0006' + '736572766572');
  assert.is(parseServerName(encodeServerName('example.com')), 'example.com');
  assert.is(parseServerName(encodeServerName('Sub-1.Example.COM.')), 'Sub-1.Example.COM', 'trailing dot dropped by the encoder');
  parseServerNameAck(new Uint8Array(0));
  throwsAlert(() => parseServerNameAck(hex('00')), 'decode_error');
});

s('server_name: bad lists', () => {
  throwsAlert(() => parseServerName(sniList(ascii('a.com'), ascii('b.com'))), 'decode_error', 'two host_names');
  throwsAlert(() => parseServerName(concat(sniList(ascii('a.com')).subarray(2), hex('01'))), 'decode_error', 'length mismatch');
  throwsAlert(() => parseServerName(hex('000a 00 0003 616263 01 0001 00')), 'decode_error', 'second entry of another type');
  throwsAlert(() => parseServerName(hex('0006 01 0003 616263')), 'decode_error', 'name_type 1');
  throwsAlert(() => parseServerName(hex('0000')), 'decode_error', 'empty list');
  throwsAlert(() => parseServerName(sniList(new Uint8Array(0))), 'decode_error', 'empty host_name');
  throwsAlert(() => parseServerName(sniList(ascii('example.com.'))), 'decode_error', 'trailing dot');
  throwsAlert(() => parseServerName(sniList(Uint8Array.from(Buffer.from('bücher.de')))), 'decode_error', 'non-ASCII');
  throwsAlert(() => parseServerName(sniList(ascii('a\u0000b'))), 'decode_error', 'NUL');
  assert.is(parseServerName(sniList(ascii('a_b.com'))), 'a_b.com', 'underscores are accepted');
  throwsAlert(() => parseServerName(sniList(ascii('a b.com'))), 'decode_error', 'space');
  throwsAlert(() => parseServerName(sniList(ascii('-a.com'))), 'decode_error', 'leading hyphen');
  throwsAlert(() => parseServerName(sniList(ascii('192.0.2.1'))), 'decode_error', 'IPv4 literal');
  throwsAlert(() => parseServerName(hex('0008 00 0009 6578616d706c65')), 'decode_error', 'host_name length overflow');
  throwsAlert(() => parseServerName(hex('0006 00 0003 616263 00')), 'decode_error', 'trailing');
  throwsAlert(() => parseServerName(sniList(ascii(`${'a'.repeat(63)}.`.repeat(4) + 'b'))), 'decode_error', 'too long');
  throwsAlert(() => encodeServerName('10.0.0.1'), 'internal_error');
  throwsAlert(() => encodeServerName(''), 'internal_error');
});

s('host name validation', () => {
  for (const ok of ['a', 'localhost', 'xn--bcher-kva.de', '1.2.3', 'a-b.c0', `${'a'.repeat(63)}.com`]) assert.ok(isValidSniHostName(ok), ok);
  for (const bad of ['', '.', 'a..b', '-a.com', 'a-.com', 'a.com.', `${'a'.repeat(64)}.com`, 'a b', '1.2.3.4', 'a/b']) {
    assert.not.ok(isValidSniHostName(bad), bad);
  }
});

s('supported_groups, signature_algorithms(_cert)', () => {
  const groups = [0x11ec, 0x1d, 0x17, 0x18];
  assert.is(toHex(encodeSupportedGroups(groups)), '000811ec001d00170018');
  assert.equal(parseSupportedGroups(encodeSupportedGroups(groups)), groups);
  assert.equal(parseSignatureAlgorithms(encodeSignatureAlgorithms([0x0804, 0x0807])), [0x0804, 0x0807]);
  assert.equal(parseSignatureAlgorithmsCert(encodeSignatureAlgorithmsCert([0x0401])), [0x0401]);
  throwsAlert(() => parseSupportedGroups(hex('0000')), 'decode_error', 'empty');
  throwsAlert(() => parseSupportedGroups(hex('0003 001d00')), 'decode_error', 'odd');
  throwsAlert(() => parseSignatureAlgorithms(hex('0002 0804 00')), 'decode_error', 'trailing');
  throwsAlert(() => parseSignatureAlgorithms(hex('0004 0804')), 'decode_error', 'truncated');
  throwsAlert(() => encodeSupportedGroups([]), 'internal_error');
});

s('ALPN', () => {
  const names = ['h3', 'hq-interop', '\u00ff\u0000'];
  const data = encodeAlpn(names);
  assert.is(toHex(encodeAlpn(['h3'])), '0003026833');
  assert.equal(parseAlpn(data), names);
  assert.is(parseAlpnSelected(encodeAlpn(['h3'])), 'h3');
  throwsAlert(() => parseAlpnSelected(encodeAlpn(['h3', 'h2'])), 'decode_error', 'server sends two');
  throwsAlert(() => parseAlpn(hex('0000')), 'decode_error', 'empty list');
  throwsAlert(() => parseAlpn(hex('0002 00 00')), 'decode_error', 'empty name');
  throwsAlert(() => parseAlpn(hex('0003 03 6833')), 'decode_error', 'name overruns');
  throwsAlert(() => parseAlpn(hex('0003 026833 00')), 'decode_error', 'trailing');
  throwsAlert(() => encodeAlpn([]), 'internal_error');
  throwsAlert(() => encodeAlpn(['']), 'internal_error');
  throwsAlert(() => encodeAlpn(['\u0100']), 'internal_error');
});

s('supported_versions both forms', () => {
  assert.is(toHex(encodeSupportedVersionsClient([0x0304, 0x0303])), '0403040303');
  assert.equal(parseSupportedVersionsClient(hex('0403040303')), [0x0304, 0x0303]);
  assert.is(parseSupportedVersionsServer(encodeSupportedVersionsServer(0x0304)), 0x0304);
  throwsAlert(() => parseSupportedVersionsClient(hex('00')), 'decode_error', 'empty');
  throwsAlert(() => parseSupportedVersionsClient(hex('03030403')), 'decode_error', 'odd');
  throwsAlert(() => parseSupportedVersionsClient(hex('020304ff')), 'decode_error', 'trailing');
  throwsAlert(() => parseSupportedVersionsServer(hex('03')), 'decode_error');
  throwsAlert(() => parseSupportedVersionsServer(hex('030400')), 'decode_error');
});

s('key_share: CH list, SH entry, HRR group', () => {
  const entries = [{ group: 0x1d, keyExchange: bytesOf(32) }, { group: 0x11ec, keyExchange: bytesOf(1216) }];
  assert.equal(parseKeyShareClient(encodeKeyShareClient(entries)), entries);
  assert.equal(parseKeyShareClient(encodeKeyShareClient([])), [], 'empty list is allowed (HRR probing)');
  assert.equal(parseKeyShareServer(encodeKeyShareServer(entries[0])), entries[0]);
  assert.is(parseKeyShareHelloRetryRequest(encodeKeyShareHelloRetryRequest(0x18)), 0x18);
  const dup = encodeKeyShareClient([{ group: 0x1d, keyExchange: hex('01') }, { group: 0x1d, keyExchange: hex('02') }]);
  throwsAlert(() => parseKeyShareClient(dup), 'illegal_parameter', 'duplicate group');
  throwsAlert(() => parseKeyShareClient(hex('0004 001d 0000')), 'decode_error', 'empty key_exchange');
  throwsAlert(() => parseKeyShareClient(hex('0006 001d 0002 01')), 'decode_error', 'truncated');
  throwsAlert(() => parseKeyShareServer(hex('001d 0001 01 00')), 'decode_error', 'trailing');
  throwsAlert(() => parseKeyShareHelloRetryRequest(hex('001d00')), 'decode_error');
});

s('psk_key_exchange_modes, early_data, cookie, certificate_authorities, record_size_limit', () => {
  assert.equal(parsePskKeyExchangeModes(encodePskKeyExchangeModes([1, 0])), [1, 0]);
  throwsAlert(() => parsePskKeyExchangeModes(hex('00')), 'decode_error');
  throwsAlert(() => parsePskKeyExchangeModes(hex('0101 01')), 'decode_error');
  parseEarlyDataIndication(encodeEarlyDataIndication());
  throwsAlert(() => parseEarlyDataIndication(hex('00')), 'decode_error');
  assert.is(parseMaxEarlyDataSize(encodeMaxEarlyDataSize(0xffffffff)), 0xffffffff);
  throwsAlert(() => parseMaxEarlyDataSize(hex('000004')), 'decode_error');
  assert.equal(parseCookie(encodeCookie(bytesOf(300))), bytesOf(300));
  throwsAlert(() => parseCookie(hex('0000')), 'decode_error', 'empty cookie');
  throwsAlert(() => encodeCookie(new Uint8Array(0)), 'internal_error');
  const dns = [bytesOf(40, 3), hex('3000')];
  assert.equal(parseCertificateAuthorities(encodeCertificateAuthorities(dns)), dns);
  throwsAlert(() => parseCertificateAuthorities(hex('0002 0000')), 'decode_error', 'too short');
  throwsAlert(() => parseCertificateAuthorities(hex('0003 0000 00')), 'decode_error', 'empty DN');
  assert.is(parseRecordSizeLimit(encodeRecordSizeLimit(16385)), 16385);
  throwsAlert(() => parseRecordSizeLimit(hex('003f')), 'illegal_parameter');
  throwsAlert(() => parseRecordSizeLimit(hex('0040 00')), 'decode_error');
  throwsAlert(() => encodeRecordSizeLimit(10), 'internal_error');
});

s('quic_transport_parameters stays opaque', () => {
  const tp = bytesOf(50);
  const ext = quicTransportParametersExtension(tp);
  assert.is(ext.type, 0x39);
  assert.is(QUIC_TRANSPORT_PARAMETERS, 0x39);
  const w = new TlsWriter();
  writeExtensions(w, [ext]);
  const back = readExtensions(new TlsReader(w.finish()));
  assert.equal(quicTransportParametersOf(back), tp);
  throwsAlert(() => quicTransportParametersOf([]), 'missing_extension');
});

s('extension list: order kept, duplicates refused, lookups', () => {
  const list = [{ type: 0xfe0d, data: hex('01') }, { type: 0x0a0a, data: hex('') }, { type: 0, data: hex('02') }];
  const w = new TlsWriter();
  writeExtensions(w, list);
  const back = readExtensions(new TlsReader(w.finish(), 'EE'));
  assert.equal(back, list);
  assert.equal(findExtension(back, 0)?.data, hex('02'));
  assert.is(findExtension(back, 5), undefined);
  throwsAlert(() => requireExtension(back, 5, 'EE'), 'missing_extension');
  throwsAlert(() => readExtensions(new TlsReader(hex('0008 0001 0000 0001 0000'), 'EE')), 'illegal_parameter');
  throwsAlert(() => readExtensions(new TlsReader(hex('0003 000100'))), 'decode_error');
  throwsAlert(() => readExtensions(new TlsReader(hex('0000')), 2), 'decode_error', 'below min');
});

s('§4.2 table checker', () => {
  assert.ok(isKnownTls13Extension(X.key_share));
  assert.not.ok(isKnownTls13Extension(X.session_ticket));
  assert.ok(extensionAllowedIn(X.early_data, 'NST'));
  assert.not.ok(extensionAllowedIn(X.key_share, 'EE'));
  assert.not.ok(extensionAllowedIn(0x4a4a, 'CH'));
  const e = (type: number) => ({ type, data: new Uint8Array(0) });
  checkExtensions([e(X.server_name), e(X.session_ticket), e(0x4a4a), e(X.pre_shared_key)], 'CH');
  checkExtensions([e(0x4a4a), e(X.signature_algorithms)], 'CR');
  checkExtensions([e(0x4a4a), e(X.early_data)], 'NST');
  throwsAlert(() => checkExtensions([e(X.key_share)], 'EE'), 'illegal_parameter', 'key_share in EE');
  throwsAlert(() => checkExtensions([e(X.oid_filters)], 'CH'), 'illegal_parameter', 'oid_filters in CH');
  throwsAlert(() => checkExtensions([e(X.server_name)], 'SH'), 'illegal_parameter', 'server_name in SH');
  throwsAlert(() => checkExtensions([e(X.early_data)], 'CR'), 'illegal_parameter', 'early_data in CR');
  throwsAlert(() => checkExtensions([e(0x4a4a)], 'EE'), 'unsupported_extension', 'unknown in EE');
  throwsAlert(() => checkExtensions([e(X.session_ticket)], 'SH'), 'unsupported_extension', 'TLS 1.2 ext in SH');
  const offered = new Set<number>([X.key_share, X.supported_versions]);
  checkExtensions([e(X.key_share), e(X.supported_versions)], 'SH', offered);
  checkExtensions([e(X.cookie), e(X.key_share)], 'HRR', offered);
  throwsAlert(() => checkExtensions([e(X.application_layer_protocol_negotiation)], 'EE', offered), 'unsupported_extension', 'not offered');
  throwsAlert(() => checkExtensions([e(X.status_request)], 'CT', offered), 'unsupported_extension', 'CT not offered');
});

const res = fixture<{ client_hello: string; client_hello_prefix: string; binder_hash: string; binder: string }>('rfc8448-resumption-client-hello.json');

s('pre_shared_key: RFC 8448 §4 resumption ClientHello, truncation point and binder', () => {
  const raw = hex(res.client_hello);
  const m = decodeHandshake(raw);
  const ch = parseClientHello(m.body);
  assert.is(ch.extensions[ch.extensions.length - 1].type, X.pre_shared_key);
  checkExtensions(ch.extensions, 'CH');
  const psk = parsePreSharedKeyClient(requireExtension(ch.extensions, X.pre_shared_key, 'CH'));
  assert.is(psk.identities.length, 1);
  assert.is(psk.identities[0].identity.length, 0xb2);
  assert.is(psk.identities[0].obfuscatedTicketAge, 0xfad6aacb);
  assert.is(toHex(psk.binders[0]), res.binder);
  parseEarlyDataIndication(requireExtension(ch.extensions, X.early_data, 'CH'));
  const cut = truncatedClientHelloLength(raw);
  assert.is(cut, 477);
  assert.is(toHex(raw.subarray(0, cut)), res.client_hello_prefix);
  assert.is(createHash('sha256').update(raw.subarray(0, cut)).digest('hex'), res.binder_hash);
  assert.is(bindersLength([32]), raw.length - cut);
  assert.equal(encodeHandshake(1, encodeClientHello(ch)), raw);
  assert.equal(encodePreSharedKeyClient(psk), requireExtension(ch.extensions, X.pre_shared_key, 'CH'));
});

s('pre_shared_key: rewriting binders in an encoded ClientHello', () => {
  const raw = hex(res.client_hello);
  const zeroed = raw.slice();
  rewriteBinders(zeroed, [new Uint8Array(32)]);
  assert.equal(zeroed.subarray(0, 477), raw.subarray(0, 477));
  assert.ok(zeroed.subarray(raw.length - 32).every((b) => b === 0));
  const out = rewriteBinders(zeroed, [hex(res.binder)]);
  assert.is(out, zeroed);
  assert.equal(out, raw);
  throwsAlert(() => rewriteBinders(raw.slice(), [new Uint8Array(48)]), 'internal_error', 'wrong length');
  throwsAlert(() => rewriteBinders(raw.slice(), [new Uint8Array(32), new Uint8Array(32)]), 'internal_error', 'wrong count');
  throwsAlert(() => truncatedClientHelloLength(hex(fixture<{ named: Record<string, string> }>('vectors-rfc8448-simple.json').named.client_hello)), 'illegal_parameter', 'no psk');
  throwsAlert(() => truncatedClientHelloLength(hex(fixture<{ named: Record<string, string> }>('vectors-rfc8448-simple.json').named.server_hello)), 'internal_error', 'not a CH');
  // Built from scratch with placeholders, then filled in: two identities of different binder lengths.
  const psks = {
    identities: [{ identity: bytesOf(20), obfuscatedTicketAge: 7 }, { identity: hex('65787465726e616c'), obfuscatedTicketAge: 0 }],
    binders: [new Uint8Array(32), new Uint8Array(48)],
  };
  const body = encodeClientHello({
    legacyVersion: LEGACY_VERSION, random: bytesOf(32), legacySessionId: hex(''), cipherSuites: [0x1301, 0x1302],
    extensions: [{ type: X.supported_versions, data: hex('020304') }, { type: X.pre_shared_key, data: encodePreSharedKeyClient(psks) }],
  });
  const ch = encodeHandshake(1, body);
  const t = truncatedClientHelloLength(ch);
  assert.is(ch.length - t, bindersLength([32, 48]));
  throwsAlert(() => rewriteBinders(ch, [bytesOf(48), bytesOf(32)]), 'internal_error', 'same total, swapped lengths');
  rewriteBinders(ch, [bytesOf(32, 9), bytesOf(48, 10)]);
  const back = parsePreSharedKeyClient(requireExtension(parseClientHello(ch.subarray(4)).extensions, X.pre_shared_key, 'CH'));
  assert.equal(back.binders, [bytesOf(32, 9), bytesOf(48, 10)]);
  assert.equal(back.identities, psks.identities);
});

s('pre_shared_key: malformed and server form', () => {
  assert.is(parsePreSharedKeyServer(encodePreSharedKeyServer(1)), 1);
  throwsAlert(() => parsePreSharedKeyServer(hex('000100')), 'decode_error');
  const one = { identities: [{ identity: hex('01'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32)] };
  const data = encodePreSharedKeyClient(one);
  throwsAlert(() => parsePreSharedKeyClient(concat(data, hex('00'))), 'decode_error', 'trailing');
  const two = encodePreSharedKeyClient({ identities: [...one.identities, { identity: hex('02'), obfuscatedTicketAge: 0 }], binders: [new Uint8Array(32), new Uint8Array(32)] });
  // Keep both identities but only the first binder: fix up the binders length.
  const idsLen = (two[0] << 8) | two[1];
  const mismatched = concat(two.subarray(0, 2 + idsLen), hex('0021'), hex('20'), new Uint8Array(32));
  throwsAlert(() => parsePreSharedKeyClient(mismatched), 'illegal_parameter', 'count mismatch');
  throwsAlert(() => parsePreSharedKeyClient(hex('0000 0021 20') ), 'decode_error', 'no identities');
  throwsAlert(() => parsePreSharedKeyClient(concat(data.subarray(0, 9), hex('0021 1f'), new Uint8Array(32))), 'decode_error', 'short binder');
  throwsAlert(() => encodePreSharedKeyClient({ identities: one.identities, binders: [] }), 'internal_error');
});

s('writeExtensions refuses a duplicate type (internal_error) in a short list and in a long one', () => {
  const ext = (type: number) => ({ type, data: new Uint8Array(0) });
  for (const n of [2, 12, 24, 25, 60]) {
    const list = Array.from({ length: n }, (_, i) => ext(0x1000 + i));
    writeExtensions(new TlsWriter(), list); // distinct: fine
    for (const [a, b] of [[0, n - 1], [n - 2, n - 1], [0, 1]]) {
      const dup = list.map((e) => ({ ...e }));
      dup[b] = ext(dup[a].type);
      try {
        writeExtensions(new TlsWriter(), dup);
        assert.unreachable(`duplicate at ${a}/${b} of ${n} accepted`);
      } catch (e) {
        assert.instance(e, TlsAlert);
        assert.is((e as TlsAlert).code, 80);
        assert.match((e as TlsAlert).message, 'duplicate');
      }
    }
  }
});

s.run();
