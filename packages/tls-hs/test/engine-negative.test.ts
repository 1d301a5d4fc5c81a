/**
 * Negative tests, each with the exact alert: wrong host name, expired / not yet valid, unknown CA, bad certificate
 * and CertificateVerify signatures, truncated / duplicated / unknown / out-of-order messages, duplicated / unknown /
 * misplaced / missing extensions, bad Finished — in both roles. The failed engine keeps its alert.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsAlert } from '../src/alerts.js';
import { createTlsEngine, type TlsEngine } from '../src/engine/tlsEngine.js';
import type { TlsEngineOptions } from '../src/engine/options.js';
import { CertRequest } from '../src/engine/tlsState.js';
import { ExtensionType, HandshakeType } from '../src/wire/constants.js';
import { encodeClientHello, parseClientHello, type ClientHello } from '../src/wire/clientHello.js';
import { encodeServerHello, parseServerHello } from '../src/wire/serverHello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import { encodeCertificate, parseCertificate } from '../src/wire/certificate.js';
import { encodeCertificateVerify, parseCertificateVerify } from '../src/wire/certificateVerify.js';
import { encodeCertificateRequest, type CertificateRequest } from '../src/wire/certificateRequest.js';
import type { Extension } from '../src/wire/extensions/extensionList.js';
import { createSelfSignedCertificate, issueCertificate, type CertificateTemplate } from '../src/x509/certificateBuilder.js';
import {
  editMessage,
  enginePair,
  joinMessages,
  keyOf,
  provider,
  rejectsAlert,
  runHandshake,
  splitMessages,
  type FlightMessage,
} from './engine-helpers.js';

const s = suite('engine negative');

// ---------------------------------------------------------------- certificates

const notBefore = new Date('2020-01-01T00:00:00Z');
const notAfter = new Date('2045-01-01T00:00:00Z');
const now = Date.UTC(2030, 0, 1);
const root = createSelfSignedCertificate(provider, { subject: 'neg root', isCA: true, notBefore, notAfter, key: keyOf('ec-p256') });
const impostor = createSelfSignedCertificate(provider, { subject: 'neg root', isCA: true, notBefore, notAfter }); // same name, other key
const leafTemplate: CertificateTemplate = { subject: 'good.test', dnsNames: ['good.test'], notBefore, notAfter, key: keyOf('ed25519'), extKeyUsage: ['serverAuth', 'clientAuth'] };
const good = issueCertificate(provider, root, leafTemplate);

function withServerChain(chain: Uint8Array[], clientOpts: TlsEngineOptions = {}, serverKey = keyOf('ed25519')): { client: TlsEngine; server: TlsEngine } {
  const client = createTlsEngine('client', { provider, clock: () => now, ca: root.der, servername: 'good.test', ...clientOpts });
  const server = createTlsEngine('server', { provider, cert: chain, key: serverKey });
  return { client, server };
}

s('certificates: wrong host name, expired, not yet valid, unknown CA, bad signature, wrong purpose', async () => {
  const ok = withServerChain([good.der]);
  await runHandshake(ok.client, ok.server);
  const cases: [string, Uint8Array[], TlsEngineOptions, string][] = [
    ['wrong host name', [good.der], { servername: 'evil.test' }, 'bad_certificate'],
    ['wrong IP', [good.der], { servername: '192.0.2.7' }, 'bad_certificate'],
    ['expired', [good.der], { clock: () => Date.UTC(2046, 0, 1) }, 'certificate_expired'],
    ['not yet valid', [good.der], { clock: () => Date.UTC(2019, 0, 1) }, 'certificate_expired'],
    ['unknown CA', [good.der], { ca: impostor.der }, 'unknown_ca'],
    ['no CA at all', [good.der], { ca: undefined }, 'unknown_ca'],
  ];
  // the certificate's own signature broken (last byte of the signature BIT STRING)
  const broken = good.der.slice();
  broken[broken.length - 1] ^= 1;
  cases.push(['bad certificate signature', [broken], {}, 'bad_certificate']);
  // issued by a different key under the root's name: its authorityKeyIdentifier names no trusted key → no path
  cases.push(['issued by an impostor', [issueCertificate(provider, impostor, leafTemplate).der], {}, 'unknown_ca']);
  cases.push(['client-only certificate', [issueCertificate(provider, root, { ...leafTemplate, extKeyUsage: ['clientAuth'] }).der], {}, 'unsupported_certificate']);
  cases.push(['not X.509', [Uint8Array.of(0x30, 0x03, 0x02, 0x01, 0x01)], {}, 'bad_certificate']);
  for (const [what, chain, opts, alert] of cases) {
    const p = withServerChain(chain, opts);
    const a = await rejectsAlert(runHandshake(p.client, p.server), alert);
    assert.ok(a.message.length > 0, what);
    assert.is(p.client.error, a, `${what}: the engine keeps its alert`);
    await rejectsAlert(() => p.client.handshake(new Uint8Array(4)), alert);
  }
  // the server's key does not match the certificate → the CertificateVerify does not verify
  const mismatch = withServerChain([good.der], {}, keyOf('ec-p256'));
  await rejectsAlert(runHandshake(mismatch.client, mismatch.server), 'illegal_parameter'); // scheme does not fit the leaf key
  const otherEd = provider.generateKeyPair('ed25519');
  const wrongKey = withServerChain([good.der], {}, otherEd);
  await rejectsAlert(runHandshake(wrongKey.client, wrongKey.server), 'decrypt_error');
  // client certificates: unknown CA and expired at the server
  const clientLeaf = issueCertificate(provider, impostor, { ...leafTemplate, subject: 'client' });
  const c = createTlsEngine('client', { provider, clock: () => now, ca: root.der, servername: 'good.test', cert: clientLeaf.der, key: clientLeaf.key });
  const sv = createTlsEngine('server', { provider, clock: () => now, ca: root.der, cert: good.der, key: keyOf('ed25519'), certRequest: CertRequest.REQUIRED });
  await rejectsAlert(runHandshake(c, sv), 'unknown_ca');
  const c2 = createTlsEngine('client', { provider, clock: () => now, ca: root.der, servername: 'good.test', cert: good.der, key: keyOf('ed25519') });
  const sv2 = createTlsEngine('server', { provider, clock: () => Date.UTC(2050, 0, 1), ca: root.der, cert: good.der, key: keyOf('ed25519'), certRequest: CertRequest.REQUIRED });
  await rejectsAlert(runHandshake(c2, sv2), 'certificate_expired');
});

// ---------------------------------------------------------------- message-level helpers

interface Flows {
  client: TlsEngine;
  server: TlsEngine;
  ch: Uint8Array;
  sh: Uint8Array;
  flight: Uint8Array;
}

function flows(clientOpts: TlsEngineOptions = {}, serverOpts: TlsEngineOptions = {}): Flows {
  const { client, server } = enginePair(clientOpts, serverOpts);
  const ch = client.handshake(null).out;
  const sh = server.handshake(ch).out;
  const flight = server.handshake(null).out;
  return { client, server, ch, sh, flight };
}

/** Client after the ServerHello, about to read the server flight. */
function clientAtFlight(clientOpts: TlsEngineOptions = {}, serverOpts: TlsEngineOptions = {}): Flows {
  const f = flows(clientOpts, serverOpts);
  f.client.handshake(f.sh);
  return f;
}

/** Server waiting for the client's flight; returns the client's flight too. */
function serverAtClientFlight(clientOpts: TlsEngineOptions = {}, serverOpts: TlsEngineOptions = {}): Flows & { fin: Uint8Array } {
  const f = clientAtFlight(clientOpts, serverOpts);
  return { ...f, fin: f.client.handshake(f.flight).out };
}

function edit(data: Uint8Array, f: (msgs: FlightMessage[]) => FlightMessage[]): Uint8Array {
  return joinMessages(f(splitMessages(data)));
}

const chEdit = (ch: Uint8Array, f: (c: ClientHello) => ClientHello): Uint8Array =>
  editMessage(ch, HandshakeType.client_hello, (b) => encodeClientHello(f(parseClientHello(b))));
const eeEdit = (flight: Uint8Array, f: (e: readonly Extension[]) => Extension[]): Uint8Array =>
  editMessage(flight, HandshakeType.encrypted_extensions, (b) => encodeEncryptedExtensions({ extensions: f(parseEncryptedExtensions(b).extensions) }));

/** Raw extension block bytes with possibly duplicated types (the encoder refuses duplicates). */
function rawExtensions(exts: readonly Extension[]): Uint8Array {
  const len = exts.reduce((a, e) => a + 4 + e.data.length, 0);
  const out = new Uint8Array(2 + len);
  out[0] = len >> 8;
  out[1] = len & 0xff;
  let p = 2;
  for (const e of exts) {
    out.set([e.type >> 8, e.type & 0xff, e.data.length >> 8, e.data.length & 0xff], p);
    out.set(e.data, p + 4);
    p += 4 + e.data.length;
  }
  return out;
}

/** Replaces the extension block at the end of a message body (ClientHello, ServerHello, EE: extensions are last). */
function replaceTrailingExtensions(body: Uint8Array, oldBlockLength: number, exts: readonly Extension[]): Uint8Array {
  const head = body.subarray(0, body.length - oldBlockLength);
  const block = rawExtensions(exts);
  const out = new Uint8Array(head.length + block.length);
  out.set(head);
  out.set(block, head.length);
  return out;
}

function blockLength(exts: readonly Extension[]): number {
  return 2 + exts.reduce((a, e) => a + 4 + e.data.length, 0);
}

// ---------------------------------------------------------------- truncated

s('truncated messages → decode_error (both roles, every message)', async () => {
  const truncateBody = (data: Uint8Array, type: number, by = 1): Uint8Array => editMessage(data, type, (b) => b.subarray(0, b.length - by));
  let f = flows();
  await rejectsAlert(() => enginePair().server.handshake(truncateBody(f.ch, HandshakeType.client_hello)), 'decode_error');
  await rejectsAlert(() => enginePair().server.handshake(truncateBody(f.ch, HandshakeType.client_hello, 300)), 'decode_error');
  await rejectsAlert(() => f.client.handshake(truncateBody(f.sh, HandshakeType.server_hello)), 'decode_error');
  for (const type of [HandshakeType.encrypted_extensions, HandshakeType.certificate, HandshakeType.certificate_verify, HandshakeType.finished]) {
    f = clientAtFlight();
    await rejectsAlert(() => f.client.handshake(truncateBody(f.flight, type)), 'decode_error');
  }
  f = clientAtFlight({}, { requestCert: true, rejectUnauthorized: false });
  await rejectsAlert(() => f.client.handshake(truncateBody(f.flight, HandshakeType.certificate_request)), 'decode_error');
  const g = serverAtClientFlight();
  await rejectsAlert(() => g.server.handshake(truncateBody(g.fin, HandshakeType.finished)), 'decode_error');
  // client Certificate / CertificateVerify truncated
  for (const type of [HandshakeType.certificate, HandshakeType.certificate_verify]) {
    const m = serverAtClientFlight({ cert: new TextEncoder().encode('fake-cert:client'), key: keyOf('ed25519') }, { certRequest: CertRequest.REQUIRED });
    await rejectsAlert(() => m.server.handshake(truncateBody(m.fin, type)), 'decode_error');
  }
  // a message announcing more than the limit → decode_error as soon as its header arrives
  await rejectsAlert(() => enginePair().server.handshake(Uint8Array.of(1, 0x7f, 0xff, 0xff)), 'decode_error');
  // an incomplete message just waits; completing it works
  const w = flows();
  assert.is(w.client.handshake(w.sh.subarray(0, 10)).out.length, 0);
  w.client.handshake(w.sh.subarray(10));
  assert.is(w.client.handshake(w.flight).flights.length, 1);
});

// ---------------------------------------------------------------- duplicated / unknown / out-of-order messages

s('duplicated, unknown and out-of-order messages → unexpected_message (both roles)', async () => {
  // ClientHello twice (the server answered the first)
  let f = flows();
  await rejectsAlert(() => f.server.handshake(f.ch), 'unexpected_message');
  // ServerHello twice
  f = clientAtFlight();
  await rejectsAlert(() => f.client.handshake(f.sh), 'unexpected_message');
  // every server flight message duplicated in place
  for (const type of [HandshakeType.encrypted_extensions, HandshakeType.certificate, HandshakeType.certificate_verify]) {
    f = clientAtFlight();
    const dup = edit(f.flight, (ms) => ms.flatMap((m) => (m.type === type ? [m, m] : [m])));
    await rejectsAlert(() => f.client.handshake(dup), 'unexpected_message');
  }
  // Finished twice: the second arrives after the handshake completed
  f = clientAtFlight();
  const twice = edit(f.flight, (ms) => [...ms, ms[ms.length - 1]]);
  await rejectsAlert(() => f.client.handshake(twice), 'unexpected_message');
  let g = serverAtClientFlight();
  await rejectsAlert(() => g.server.handshake(edit(g.fin, (ms) => [...ms, ...ms])), 'unexpected_message');
  // unknown / TLS 1.2-only message types at every stage
  for (const type of [99, 0 /* hello_request */, 12 /* server_key_exchange */, 14 /* server_hello_done */, 16 /* client_key_exchange */]) {
    const junk: FlightMessage = { type, body: new Uint8Array(type === 0 ? 0 : 3) };
    await rejectsAlert(() => enginePair().server.handshake(joinMessages([junk])), 'unexpected_message');
    f = flows();
    await rejectsAlert(() => f.client.handshake(joinMessages([junk])), 'unexpected_message');
    f = clientAtFlight();
    await rejectsAlert(() => f.client.handshake(edit(f.flight, (ms) => [ms[0], junk, ...ms.slice(1)])), 'unexpected_message');
    g = serverAtClientFlight();
    await rejectsAlert(() => g.server.handshake(edit(g.fin, (ms) => [junk, ...ms])), 'unexpected_message');
  }
  // messages out of order: Certificate before EncryptedExtensions, CertificateVerify missing, Finished first
  f = clientAtFlight();
  await rejectsAlert(() => f.client.handshake(edit(f.flight, (ms) => [ms[1], ms[0], ...ms.slice(2)])), 'unexpected_message');
  f = clientAtFlight();
  await rejectsAlert(() => f.client.handshake(edit(f.flight, (ms) => ms.filter((m) => m.type !== HandshakeType.certificate_verify))), 'unexpected_message');
  f = clientAtFlight();
  await rejectsAlert(() => f.client.handshake(edit(f.flight, (ms) => ms.filter((m) => m.type === HandshakeType.finished))), 'unexpected_message');
  // a client Certificate the server did not ask for; a CertificateVerify after an empty Certificate
  g = serverAtClientFlight();
  const cert: FlightMessage = { type: HandshakeType.certificate, body: encodeCertificate({ requestContext: new Uint8Array(0), entries: [] }) };
  await rejectsAlert(() => g.server.handshake(edit(g.fin, (ms) => [cert, ...ms])), 'unexpected_message');
  const opt = serverAtClientFlight({}, { certRequest: CertRequest.OPTIONAL });
  const cv: FlightMessage = { type: HandshakeType.certificate_verify, body: encodeCertificateVerify({ scheme: 0x0807, signature: new Uint8Array(64) }) };
  await rejectsAlert(() => opt.server.handshake(edit(opt.fin, (ms) => [ms[0], cv, ...ms.slice(1)])), 'unexpected_message');
});

// ---------------------------------------------------------------- extensions

s('extensions: duplicated → illegal_parameter; unknown in a response → unsupported_extension; in CH ignored', async () => {
  const f = flows();
  const chExts = parseClientHello(f.ch.subarray(4)).extensions;
  const sv = chExts.find((e) => e.type === ExtensionType.supported_versions)!;
  const dupCh = editMessage(f.ch, HandshakeType.client_hello, (b) => replaceTrailingExtensions(b, blockLength(chExts), [...chExts.slice(0, -1), sv, chExts[chExts.length - 1]]));
  await rejectsAlert(() => enginePair().server.handshake(dupCh), 'illegal_parameter');
  const shExts = parseServerHello(f.sh.subarray(4)).extensions;
  const dupSh = editMessage(f.sh, HandshakeType.server_hello, (b) => replaceTrailingExtensions(b, blockLength(shExts), [...shExts, shExts[0]]));
  await rejectsAlert(() => f.client.handshake(dupSh), 'illegal_parameter');
  let c = clientAtFlight({ ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h2'] });
  const eeExts = parseEncryptedExtensions(splitMessages(c.flight)[0].body).extensions;
  const dupEe = editMessage(c.flight, HandshakeType.encrypted_extensions, (b) => replaceTrailingExtensions(b, blockLength(eeExts), [...eeExts, eeExts[0]]));
  await rejectsAlert(() => c.client.handshake(dupEe), 'illegal_parameter');

  // unknown extensions: ignored in ClientHello (the handshake completes) ...
  const p = enginePair({ extensions: [{ type: 0x7a7a, data: Uint8Array.of(1, 2) }, { type: 0xff02, data: new Uint8Array(0) }] });
  await runHandshake(p.client, p.server);
  // ... refused in ServerHello, EncryptedExtensions and Certificate entries
  const g = flows();
  const unkSh = editMessage(g.sh, HandshakeType.server_hello, (b) => {
    const sh = parseServerHello(b);
    return encodeServerHello({ ...sh, extensions: [...sh.extensions, { type: 0x7a7a, data: new Uint8Array(0) }] });
  });
  await rejectsAlert(() => g.client.handshake(unkSh), 'unsupported_extension');
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(eeExt(c.flight, { type: 0x7a7a, data: new Uint8Array(0) })), 'unsupported_extension');
  c = clientAtFlight();
  const certWithExt = editMessage(c.flight, HandshakeType.certificate, (b) => {
    const cert = parseCertificate(b);
    return encodeCertificate({ ...cert, entries: cert.entries.map((e, i) => (i === 0 ? { ...e, extensions: [{ type: 0x7a7a, data: new Uint8Array(0) }] } : e)) });
  });
  await rejectsAlert(() => c.client.handshake(certWithExt), 'unsupported_extension');
  // a known extension the client did not offer (ALPN without offering it; early_data) → unsupported_extension
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(eeExt(c.flight, { type: ExtensionType.application_layer_protocol_negotiation, data: Uint8Array.of(0, 3, 2, 0x68, 0x32) })), 'unsupported_extension');
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(eeExt(c.flight, { type: ExtensionType.early_data, data: new Uint8Array(0) })), 'unsupported_extension');
  // a known extension in a message where it may not appear → illegal_parameter
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(eeExt(c.flight, { type: ExtensionType.key_share, data: Uint8Array.of(0, 0x1d, 0, 1, 0) })), 'illegal_parameter');
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(eeExt(c.flight, { type: ExtensionType.supported_versions, data: Uint8Array.of(3, 4) })), 'illegal_parameter');
  await rejectsAlert(() => enginePair().server.handshake(chEdit(f.ch, (ch) => ({ ...ch, extensions: [{ type: ExtensionType.oid_filters, data: Uint8Array.of(0, 0) }, ...ch.extensions] }))), 'illegal_parameter');
});

function eeExt(flight: Uint8Array, e: Extension): Uint8Array {
  return eeEdit(flight, (exts) => [...exts, e]);
}

s('missing and malformed extensions → missing_extension / protocol_version / decode_error', async () => {
  const f = flows();
  const without = (type: number) => chEdit(f.ch, (ch) => ({ ...ch, extensions: ch.extensions.filter((e) => e.type !== type) }));
  await rejectsAlert(() => enginePair().server.handshake(without(ExtensionType.supported_versions)), 'protocol_version');
  await rejectsAlert(() => enginePair().server.handshake(without(ExtensionType.signature_algorithms)), 'missing_extension');
  await rejectsAlert(() => enginePair().server.handshake(without(ExtensionType.key_share)), 'missing_extension');
  await rejectsAlert(() => enginePair().server.handshake(without(ExtensionType.supported_groups)), 'missing_extension');
  const shWithout = editMessage(f.sh, HandshakeType.server_hello, (b) => {
    const sh = parseServerHello(b);
    return encodeServerHello({ ...sh, extensions: sh.extensions.filter((e) => e.type !== ExtensionType.key_share) });
  });
  await rejectsAlert(() => f.client.handshake(shWithout), 'missing_extension');
  // a CertificateRequest without signature_algorithms
  const c = clientAtFlight({}, { certRequest: CertRequest.OPTIONAL });
  const cr: CertificateRequest = { requestContext: new Uint8Array(0), extensions: [{ type: 0x7a7a, data: new Uint8Array(0) }] };
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.certificate_request, () => encodeCertificateRequest(cr))), 'missing_extension');
  // extension bodies that do not decode
  const bad = (type: number, data: Uint8Array) => chEdit(f.ch, (ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === type ? { type, data } : e)) }));
  await rejectsAlert(() => enginePair().server.handshake(bad(ExtensionType.key_share, Uint8Array.of(0, 5, 0, 0x1d, 0))), 'decode_error');
  await rejectsAlert(() => enginePair().server.handshake(bad(ExtensionType.supported_groups, Uint8Array.of(0, 3, 0, 0x1d, 0))), 'decode_error');
  await rejectsAlert(() => enginePair().server.handshake(bad(ExtensionType.signature_algorithms, Uint8Array.of(0, 0))), 'decode_error');
  await rejectsAlert(() => enginePair().server.handshake(bad(ExtensionType.supported_versions, Uint8Array.of(3, 3, 4))), 'decode_error');
});

// ---------------------------------------------------------------- Finished and CertificateVerify

s('bad Finished → decrypt_error (both roles); bad CertificateVerify → decrypt_error / illegal_parameter', async () => {
  let c = clientAtFlight();
  const flipLast = (type: number) => (b: Uint8Array) => {
    const t = b.slice();
    t[t.length - 1] ^= 0x40;
    return t;
  };
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.finished, flipLast(HandshakeType.finished))), 'decrypt_error');
  let g = serverAtClientFlight();
  await rejectsAlert(() => g.server.handshake(editMessage(g.fin, HandshakeType.finished, flipLast(HandshakeType.finished))), 'decrypt_error');
  // a Finished of the wrong length
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.finished, (b) => b.subarray(0, 31))), 'decode_error');
  // the server's CertificateVerify signature changed
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.certificate_verify, flipLast(HandshakeType.certificate_verify))), 'decrypt_error');
  // a scheme we did not offer / that TLS 1.3 forbids in CertificateVerify / that does not fit the key
  for (const [scheme, clientOpts] of [[0x0807, { sigalgs: ['ecdsa_secp256r1_sha256'] }], [0x0401, {}], [0x0503, {}]] as const) {
    c = clientAtFlight(clientOpts);
    const cvEdit = editMessage(c.flight, HandshakeType.certificate_verify, (b) => encodeCertificateVerify({ ...parseCertificateVerify(b), scheme }));
    await rejectsAlert(() => c.client.handshake(cvEdit), 'illegal_parameter');
  }
  // the client's CertificateVerify changed
  g = serverAtClientFlight({ cert: new TextEncoder().encode('fake-cert:client'), key: keyOf('ed25519') }, { certRequest: CertRequest.REQUIRED });
  await rejectsAlert(() => g.server.handshake(editMessage(g.fin, HandshakeType.certificate_verify, flipLast(HandshakeType.certificate_verify))), 'decrypt_error');
  // an empty server Certificate; a server Certificate with a request context
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.certificate, () => encodeCertificate({ requestContext: new Uint8Array(0), entries: [] }))), 'decode_error');
  c = clientAtFlight();
  await rejectsAlert(() => c.client.handshake(editMessage(c.flight, HandshakeType.certificate, (b) => encodeCertificate({ ...parseCertificate(b), requestContext: Uint8Array.of(1) }))), 'illegal_parameter');
});

s('negotiation failures: no common suite / group / signature scheme, bad key shares', async () => {
  const f = flows();
  await rejectsAlert(() => enginePair().server.handshake(chEdit(f.ch, (ch) => ({ ...ch, cipherSuites: [0x1304, 0xc02f] }))), 'handshake_failure');
  await rejectsAlert(runHandshake(enginePair({ groups: ['secp384r1'] }, { groups: ['x25519'] }).client, enginePair({ groups: ['secp384r1'] }, { groups: ['x25519'] }).server), 'handshake_failure');
  const p = enginePair({ sigalgs: ['rsa_pss_rsae_sha256'] });
  await rejectsAlert(runHandshake(p.client, p.server), 'handshake_failure');
  // an x25519 share of the wrong length / an all-zero share / a P-256 point not on the curve
  for (const [group, share] of [[0x001d, new Uint8Array(31)], [0x001d, new Uint8Array(32)], [0x0017, Uint8Array.of(4, ...new Uint8Array(64).fill(1))]] as const) {
    const ks = Uint8Array.of(0, share.length + 4, group >> 8, group & 0xff, 0, share.length, ...share);
    const bad = chEdit(f.ch, (ch) => ({ ...ch, extensions: ch.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data: ks } : e)) }));
    await rejectsAlert(() => createTlsEngine('server', { provider, cert: new TextEncoder().encode('fake-cert:server'), key: keyOf('ec-p256'), groups: group === 0x001d ? ['x25519'] : ['secp256r1'] }).handshake(bad), 'illegal_parameter');
  }
  // the server's share not on the curve
  const q = flows({ groups: ['secp256r1'], keyShares: ['secp256r1'] });
  const badSh = editMessage(q.sh, HandshakeType.server_hello, (b) => {
    const sh = parseServerHello(b);
    const ks = Uint8Array.of(0, 0x17, 0, 65, 4, ...new Uint8Array(64).fill(3));
    return encodeServerHello({ ...sh, extensions: sh.extensions.map((e) => (e.type === ExtensionType.key_share ? { type: e.type, data: ks } : e)) });
  });
  await rejectsAlert(() => q.client.handshake(badSh), 'illegal_parameter');
});

s('no exception but TlsAlert: non-Uint8Array input, post() before CONNECTED', async () => {
  const { client, server } = enginePair();
  await rejectsAlert(() => server.handshake('hello' as unknown as Uint8Array), 'internal_error');
  client.handshake(null);
  await rejectsAlert(() => client.post('keyUpdate'), 'internal_error');
  assert.ok(client.error instanceof TlsAlert || client.error === undefined);
});

s.run();
