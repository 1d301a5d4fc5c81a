/**
 * Protocol rules of issue 3, one by one, with the exact alert each violation gets: client HelloRetryRequest rules,
 * the server's cookie, strict SNI decoding, asynchronous SNICallback pause/resume, ALPN, downgrade sentinels and
 * legacy fields, key log lines, negotiated getters, and the QUIC-mode rules (transport parameters, empty session id,
 * no EndOfEarlyData, no KeyUpdate, alert numbers).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { AlertDescription } from '../src/alerts.js';
import { TlsState, TlsOpt } from '../src/engine/tlsState.js';
import type { TlsEngine } from '../src/engine/tlsEngine.js';
import { ExtensionType, HandshakeType } from '../src/wire/constants.js';
import { encodeClientHello, parseClientHello, type ClientHello } from '../src/wire/clientHello.js';
import { DOWNGRADE_TLS12, HELLO_RETRY_REQUEST_RANDOM, encodeServerHello, parseServerHello, type ServerHello } from '../src/wire/serverHello.js';
import { encodeEncryptedExtensions, parseEncryptedExtensions } from '../src/wire/encryptedExtensions.js';
import type { Extension } from '../src/wire/extensions/extensionList.js';
import { encodeKeyShareHelloRetryRequest, parseKeyShareClient } from '../src/wire/extensions/keyShare.js';
import { encodeSupportedVersionsServer } from '../src/wire/extensions/supportedVersions.js';
import { encodeCookie, parseCookie } from '../src/wire/extensions/cookie.js';
import { encodeAlpn } from '../src/wire/extensions/applicationLayerProtocolNegotiation.js';
import {
  editMessage,
  enginePair,
  fakeCert,
  joinMessages,
  keyOf,
  rejectsAlert,
  runHandshake,
  sameBytes,
  splitMessages,
} from './engine-helpers.js';

const s = suite('engine protocol rules');

const u16 = (v: number): number[] => [v >> 8, v & 0xff];
const GROUP = { x25519: 0x001d, secp256r1: 0x0017, secp384r1: 0x0018, mlkem: 0x11ec, x448: 0x001e } as const;

function body(msg: Uint8Array): Uint8Array {
  return msg.subarray(4);
}

function frame(type: number, b: Uint8Array): Uint8Array {
  return joinMessages([{ type, body: b }]);
}

/** A HelloRetryRequest answering `ch` (the client's ClientHello message). */
function hrr(ch: Uint8Array, opts: { suite?: number; group?: number; cookie?: Uint8Array; extra?: Extension[]; sessionId?: Uint8Array }): Uint8Array {
  const parsed = parseClientHello(body(ch));
  const ext: Extension[] = [{ type: ExtensionType.supported_versions, data: encodeSupportedVersionsServer(0x0304) }];
  if (opts.group !== undefined) ext.push({ type: ExtensionType.key_share, data: encodeKeyShareHelloRetryRequest(opts.group) });
  if (opts.cookie !== undefined) ext.push({ type: ExtensionType.cookie, data: encodeCookie(opts.cookie) });
  ext.push(...(opts.extra ?? []));
  const sh: ServerHello = {
    legacyVersion: 0x0303,
    random: HELLO_RETRY_REQUEST_RANDOM,
    legacySessionIdEcho: opts.sessionId ?? parsed.legacySessionId,
    cipherSuite: opts.suite ?? 0x1301,
    extensions: ext,
  };
  return frame(HandshakeType.server_hello, encodeServerHello(sh));
}

function editClientHello(ch: Uint8Array, f: (c: ClientHello) => ClientHello): Uint8Array {
  return frame(HandshakeType.client_hello, encodeClientHello(f(parseClientHello(body(ch)))));
}

function editServerHello(sh: Uint8Array, f: (c: ServerHello) => ServerHello): Uint8Array {
  return frame(HandshakeType.server_hello, encodeServerHello(f(parseServerHello(body(sh)))));
}

function withExtension(list: readonly Extension[], type: number, data: Uint8Array | undefined): Extension[] {
  const out = list.filter((e) => e.type !== type);
  if (data !== undefined) out.splice(Math.min(out.length, 1), 0, { type, data });
  return out;
}

/** Client after its ClientHello (shares for X25519MLKEM768 + x25519, all four groups supported). */
function clientAfterHello(opts = {}): { client: TlsEngine; ch: Uint8Array } {
  const { client } = enginePair(opts);
  return { client, ch: client.handshake(null).out };
}

s('client HRR rules: group already shared / not supported / no change / unknown extension / suite / session id', async () => {
  let c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.x25519 })), 'illegal_parameter'); // already shared
  c = clientAfterHello({ groups: ['X25519MLKEM768', 'x25519', 'secp256r1'] });
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.secp384r1 })), 'illegal_parameter'); // not supported
  c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.x448 })), 'illegal_parameter'); // unknown group
  c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, {})), 'illegal_parameter'); // would change nothing
  c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.secp256r1, extra: [{ type: 0xff55, data: new Uint8Array(0) }] })), 'unsupported_extension');
  c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.secp256r1, extra: [{ type: ExtensionType.application_layer_protocol_negotiation, data: encodeAlpn(['h2']) }] })), 'illegal_parameter'); // not an HRR extension
  c = clientAfterHello({ ciphers: ['TLS_AES_128_GCM_SHA256'] });
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.secp256r1, suite: 0x1302 })), 'illegal_parameter'); // suite not offered
  c = clientAfterHello();
  await rejectsAlert(() => c.client.handshake(hrr(c.ch, { group: GROUP.secp256r1, sessionId: new Uint8Array(32).fill(9) })), 'illegal_parameter');
});

s('client HRR: one retry only, the ServerHello keeps the HRR suite and uses the requested group; cookie echoed', async () => {
  // second HRR → unexpected_message
  let c = clientAfterHello();
  const r1 = c.client.handshake(hrr(c.ch, { group: GROUP.secp256r1 }));
  assert.is(r1.state, TlsState.START);
  const ch2 = parseClientHello(body(r1.out));
  const shares = parseKeyShareClient(ch2.extensions.find((e) => e.type === ExtensionType.key_share)!.data);
  assert.equal(shares.map((x) => x.group), [GROUP.secp256r1]);
  assert.ok(sameBytes(ch2.random, parseClientHello(body(c.ch)).random), 'CH2 keeps the random');
  await rejectsAlert(() => c.client.handshake(hrr(r1.out, { group: GROUP.secp384r1 })), 'unexpected_message');

  // a real server that wants secp384r1: after HRR, a ServerHello with another suite → illegal_parameter
  const p = enginePair({}, { groups: ['secp384r1'] });
  const first = p.client.handshake(null).out;
  const retry = p.server.handshake(first);
  assert.is(retry.state, TlsState.START);
  const again = p.client.handshake(retry.out).out;
  const sh = p.server.handshake(again).out;
  await rejectsAlert(() => p.client.handshake(editServerHello(sh, (x) => ({ ...x, cipherSuite: 0x1303 }))), 'illegal_parameter');

  // after HRR(secp256r1) a ServerHello with an x25519 share (from the first ClientHello) → illegal_parameter
  const q = enginePair({}, { groups: ['secp256r1'] });
  const q1 = q.client.handshake(null).out;
  const qServerCh1 = enginePair({}, { groups: ['x25519'] }).server; // answers CH1 with an x25519 ServerHello
  const qsh = qServerCh1.handshake(q1).out;
  q.client.handshake(q.server.handshake(q1).out);
  await rejectsAlert(() => q.client.handshake(qsh), 'illegal_parameter');

  // cookie-only HRR: the second ClientHello echoes the cookie and keeps its shares
  c = clientAfterHello();
  const cookie = Uint8Array.of(1, 2, 3, 4, 5);
  const r2 = c.client.handshake(hrr(c.ch, { cookie }));
  const ch2b = parseClientHello(body(r2.out));
  assert.ok(sameBytes(parseCookie(ch2b.extensions.find((e) => e.type === ExtensionType.cookie)!.data), cookie));
  assert.is(parseKeyShareClient(ch2b.extensions.find((e) => e.type === ExtensionType.key_share)!.data).length, 2);
});

s('server cookie: required back, must match; the second ClientHello must carry exactly the requested share', async () => {
  const mk = () => {
    const p = enginePair({}, { groups: ['secp256r1'], hrrCookie: true });
    const hello = p.client.handshake(null).out;
    const retry = p.server.handshake(hello).out;
    const ch2 = p.client.handshake(retry).out;
    return { ...p, ch2 };
  };
  let p = mk();
  await rejectsAlert(() => p.server.handshake(editClientHello(p.ch2, (c) => ({ ...c, extensions: withExtension(c.extensions, ExtensionType.cookie, undefined) }))), 'missing_extension');
  p = mk();
  await rejectsAlert(() => p.server.handshake(editClientHello(p.ch2, (c) => ({ ...c, extensions: withExtension(c.extensions, ExtensionType.cookie, encodeCookie(Uint8Array.of(7))) }))), 'illegal_parameter');
  p = mk();
  const x25519Share = { type: ExtensionType.key_share, data: Uint8Array.of(0, 36, ...u16(GROUP.x25519), 0, 32, ...new Uint8Array(32).fill(9)) };
  await rejectsAlert(() => p.server.handshake(editClientHello(p.ch2, (c) => ({ ...c, extensions: withExtension(c.extensions, ExtensionType.key_share, x25519Share.data) }))), 'illegal_parameter');
  p = mk();
  await rejectsAlert(() => p.server.handshake(editClientHello(p.ch2, (c) => ({ ...c, cipherSuites: [0x1303] }))), 'illegal_parameter');
  p = mk();
  assert.is(p.server.handshake(p.ch2).state, TlsState.RCVD);
});

s('SNI decoded strictly: malformed server_name lists → decode_error', async () => {
  const sni = (...bytes: number[]) => Uint8Array.from(bytes);
  const host = (name: string) => [...new TextEncoder().encode(name)];
  const entry = (name: number[], type = 0) => [type, ...u16(name.length), ...name];
  const list = (...entries: number[][]) => {
    const flat = entries.flat();
    return sni(...u16(flat.length), ...flat);
  };
  const cases: [string, Uint8Array][] = [
    ['two host_names', list(entry(host('a.example')), entry(host('b.example')))],
    ['a second entry of another type', list(entry(host('a.example')), entry(host('x'), 1))],
    ['empty host_name', list(entry([]))],
    ['trailing dot', list(entry(host('a.example.')))],
    ['non-ASCII', list(entry([0x61, 0xc3, 0xa9, 0x2e, 0x78]))],
    ['NUL inside', list(entry([0x61, 0x00, 0x62]))],
    ['list length too long', sni(0, 20, ...entry(host('a.example')))],
    ['host_name length past the end', sni(0, 4, 0, 0, 9, 0x61)],
    ['name_type other than host_name', list(entry(host('a.example'), 1))],
    ['empty list', sni(0, 0)],
    ['trailing bytes after the list', sni(...list(entry(host('a.example'))), 0)],
    ['IP literal', list(entry(host('192.0.2.1')))],
  ];
  for (const [what, data] of cases) {
    const { client, server } = enginePair({ servername: undefined, extensions: [{ type: ExtensionType.server_name, data }] });
    const a = await rejectsAlert(() => server.handshake(client.handshake(null).out), 'decode_error');
    assert.ok(a.message.length > 0, what);
  }
  // a valid one goes through, lower-cased
  const ok = enginePair({ servername: 'Host-1.Example.COM' });
  await runHandshake(ok.client, ok.server);
  assert.is(ok.server.serverName, 'host-1.example.com');
});

s('async SNICallback: PENDING until it settles, input meanwhile is refused, Buffer input may be reused', async () => {
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const { client, server } = enginePair({}, {
    SNICallback: async (name) => {
      await gate;
      return name === 'example.com' ? { cert: fakeCert('server'), key: keyOf('ec-p256') } : null;
    },
  });
  const chBytes = client.handshake(null).out;
  const buf = Buffer.from(chBytes); // a node Buffer whose memory the caller reuses
  const r = server.handshake(buf);
  assert.is(r.state, TlsState.PENDING);
  assert.is(r.out.length, 0);
  buf.fill(0xee);
  assert.is(server.handshake(null).state, TlsState.PENDING); // polling before it settles is harmless
  release();
  await server.ready;
  const sh = server.handshake(null);
  assert.is(sh.state, TlsState.RCVD);
  const flight = server.handshake(null);
  client.handshake(sh.out);
  const fin = client.handshake(flight.out);
  assert.is(server.handshake(fin.out).state, TlsState.CONNECTED);
  assert.is(client.state, TlsState.CONNECTED);

  // data while PENDING → unexpected_message
  const p = enginePair({}, { SNICallback: () => new Promise(() => undefined) });
  assert.is(p.server.handshake(p.client.handshake(null).out).state, TlsState.PENDING);
  await rejectsAlert(() => p.server.handshake(Uint8Array.of(20, 0, 0, 0)), 'unexpected_message');
});

s('ALPN: selected protocol must have been offered; QUIC needs an overlap', async () => {
  const p = enginePair({ ALPNProtocols: ['h2'] }, { ALPNProtocols: ['h2'] });
  const hello = p.client.handshake(null).out;
  const sh = p.server.handshake(hello).out;
  const flight = p.server.handshake(null).out;
  p.client.handshake(sh);
  const bad = editMessage(flight, HandshakeType.encrypted_extensions, (b) => {
    const ee = parseEncryptedExtensions(b);
    return encodeEncryptedExtensions({ extensions: withExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation, encodeAlpn(['h3'])) });
  });
  await rejectsAlert(() => p.client.handshake(bad), 'illegal_parameter');
  // two protocols in the server's answer → decode_error
  const q = enginePair({ ALPNProtocols: ['h2', 'h3'] }, { ALPNProtocols: ['h2'] });
  q.client.handshake(q.server.handshake(q.client.handshake(null).out).out);
  const qf = editMessage(q.server.handshake(null).out, HandshakeType.encrypted_extensions, (b) => {
    const ee = parseEncryptedExtensions(b);
    return encodeEncryptedExtensions({ extensions: withExtension(ee.extensions, ExtensionType.application_layer_protocol_negotiation, encodeAlpn(['h2', 'h3'])) });
  });
  await rejectsAlert(() => q.client.handshake(qf), 'decode_error');
});

s('downgrade sentinels, supported_versions and legacy fields', async () => {
  const mk = () => {
    const p = enginePair();
    const hello = p.client.handshake(null).out;
    return { ...p, hello, sh: p.server.handshake(hello).out };
  };
  const withoutSv = (x: ServerHello) => x.extensions.filter((e) => e.type !== ExtensionType.supported_versions);
  let p = mk();
  const sentinel = (x: ServerHello) => {
    const random = x.random.slice();
    random.set(DOWNGRADE_TLS12, 24);
    return random;
  };
  await rejectsAlert(() => p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, random: sentinel(x), extensions: withoutSv(x) }))), 'illegal_parameter');
  p = mk();
  await rejectsAlert(() => p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, extensions: withoutSv(x) }))), 'protocol_version');
  p = mk();
  await rejectsAlert(() => p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, extensions: withExtension(x.extensions, ExtensionType.supported_versions, encodeSupportedVersionsServer(0x0303)) }))), 'illegal_parameter');
  // a TLS 1.3 ServerHello whose random happens to end like a sentinel is fine (the check is for TLS ≤ 1.2 answers)
  p = mk();
  assert.is(p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, random: sentinel(x) }))).state, TlsState.RCVD);
  // ServerHello legacy fields
  p = mk();
  await rejectsAlert(() => p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, legacyVersion: 0x0302 }))), 'protocol_version');
  p = mk();
  const compressed = p.sh.slice();
  compressed[4 + 2 + 32 + 1 + compressed[4 + 2 + 32] + 2] = 1;
  await rejectsAlert(() => p.client.handshake(compressed), 'illegal_parameter');
  p = mk();
  await rejectsAlert(() => p.client.handshake(editServerHello(p.sh, (x) => ({ ...x, legacySessionIdEcho: new Uint8Array(0) }))), 'illegal_parameter');
  // ClientHello legacy fields and versions
  const q = enginePair();
  const ch = q.client.handshake(null).out;
  await rejectsAlert(() => enginePair().server.handshake(editClientHello(ch, (c) => ({ ...c, legacyVersion: 0x0301 }))), 'protocol_version');
  const chBody = body(ch).slice();
  const sidLen = chBody[34];
  const suitesLen = (chBody[35 + sidLen] << 8) | chBody[36 + sidLen];
  const compAt = 37 + sidLen + suitesLen;
  chBody[compAt + 1] = 1; // compression methods [1] instead of [0]
  await rejectsAlert(() => enginePair().server.handshake(frame(1, chBody)), 'illegal_parameter');
  await rejectsAlert(
    () => enginePair().server.handshake(editClientHello(ch, (c) => ({ ...c, extensions: withExtension(c.extensions, ExtensionType.supported_versions, Uint8Array.of(4, 3, 3, 3, 2)) }))),
    'protocol_version',
  );
  // over TCP the client sends a 32-byte legacy_session_id (middlebox compatibility) and the server echoes it
  assert.is(parseClientHello(body(ch)).legacySessionId.length, 32);
  const echo = parseServerHello(body(mk().sh)).legacySessionIdEcho;
  assert.is(echo.length, 32);
});

s('key log lines: NSS format, identical on both sides, one per secret even with HRR', async () => {
  const cl: string[] = [];
  const sl: string[] = [];
  const p = enginePair({ keylog: (l) => cl.push(l) }, { keylog: (l) => sl.push(l), groups: ['secp384r1'] });
  await runHandshake(p.client, p.server);
  assert.ok(p.client.helloRetried);
  assert.equal(cl, sl);
  assert.equal(cl.map((l) => l.split(' ')[0]), ['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'CLIENT_TRAFFIC_SECRET_0', 'SERVER_TRAFFIC_SECRET_0', 'EXPORTER_SECRET']);
  for (const l of cl) assert.match(l, /^[A-Z_0]+ [0-9a-f]{64} [0-9a-f]{64}$/);
  assert.is(cl[0].split(' ')[2], Buffer.from(p.client.secret('clientHandshake')!).toString('hex'));
  assert.is(cl[4].split(' ')[2], Buffer.from(p.client.secret('exporter')!).toString('hex'));
});

s('negotiated parameters readable on both sides after the handshake', async () => {
  const p = enginePair(
    { ALPNProtocols: ['h3', 'h2'], cert: fakeCert('client'), key: keyOf('ed25519'), groups: ['secp256r1', 'x25519'], keyShares: ['secp256r1'], ciphers: ['TLS_CHACHA20_POLY1305_SHA256'] },
    { ALPNProtocols: ['h2', 'h3'], requestCert: true },
    'ec-p384',
  );
  await runHandshake(p.client, p.server);
  for (const e of [p.client, p.server]) {
    assert.is(e.cipherSuite!.name, 'TLS_CHACHA20_POLY1305_SHA256');
    assert.is(e.group, 'secp256r1');
    assert.is(e.signatureScheme, 0x0503);
    assert.is(e.clientSignatureScheme, 0x0807);
    assert.is(e.alpnProtocol, 'h2');
    assert.is(e.serverName, 'example.com');
  }
  assert.ok(sameBytes(p.client.peerCertificates[0], fakeCert('server')));
  assert.ok(sameBytes(p.server.peerCertificates[0], fakeCert('client')));
  assert.is(p.client.secret('resumption')!.length, 32);
});

s('QUIC: transport parameters may ride in TlsOpt.EXTENSIONS (0x39) on both sides', async () => {
  const ctp = Uint8Array.of(1, 2, 3);
  const stp = Uint8Array.of(4, 5);
  const p = enginePair({ quic: true, ALPNProtocols: ['h3'] }, { quic: true, ALPNProtocols: ['h3'] });
  p.client.set(TlsOpt.EXTENSIONS, [{ type: ExtensionType.quic_transport_parameters, data: ctp }]);
  p.server.set(TlsOpt.EXTENSIONS, [{ type: ExtensionType.quic_transport_parameters, data: stp }]);
  await runHandshake(p.client, p.server);
  assert.ok(sameBytes(p.server.peerTransportParameters, ctp));
  assert.ok(sameBytes(p.client.peerTransportParameters, stp));
  // neither transportParameters nor an 0x39 extension → a programming error at the first handshake() call
  const q = enginePair({ quic: true, ALPNProtocols: ['h3'] });
  await rejectsAlert(() => q.client.handshake(null), 'internal_error');
});

s('QUIC: EE without transport parameters → missing_extension; non-empty session ids → illegal_parameter', async () => {
  const quic = { quic: true, transportParameters: Uint8Array.of(1), ALPNProtocols: ['h3'] };
  const p = enginePair(quic, quic);
  const hello = p.client.handshake(null).out;
  p.client.handshake(p.server.handshake(hello).out);
  const noTp = editMessage(p.server.handshake(null).out, HandshakeType.encrypted_extensions, (b) => {
    const ee = parseEncryptedExtensions(b);
    return encodeEncryptedExtensions({ extensions: ee.extensions.filter((e) => e.type !== ExtensionType.quic_transport_parameters) });
  });
  const a = await rejectsAlert(() => p.client.handshake(noTp), 'missing_extension');
  assert.is(a.code, AlertDescription.missing_extension); // QUIC sends CONNECTION_CLOSE 0x0100 + 109
  assert.is(0x0100 + a.code, 0x016d);
  // server: a QUIC ClientHello with a legacy_session_id
  const q = enginePair(quic, quic);
  const ch = q.client.handshake(null).out;
  await rejectsAlert(() => q.server.handshake(editClientHello(ch, (c) => ({ ...c, legacySessionId: new Uint8Array(32).fill(1) }))), 'illegal_parameter');
  // client: a QUIC ServerHello echoing a session id
  const r = enginePair(quic, quic);
  const sh = r.server.handshake(r.client.handshake(null).out).out;
  await rejectsAlert(() => r.client.handshake(editServerHello(sh, (x) => ({ ...x, legacySessionIdEcho: Uint8Array.of(1) }))), 'illegal_parameter');
});

s('QUIC: no EndOfEarlyData and no TLS KeyUpdate', async () => {
  const quic = { quic: true, transportParameters: Uint8Array.of(1), ALPNProtocols: ['h3'] };
  const p = enginePair(quic, quic);
  const hello = p.client.handshake(null).out;
  const sh = p.server.handshake(hello).out;
  const flight = p.server.handshake(null).out;
  p.client.handshake(sh);
  const fin = p.client.handshake(flight).out;
  const withEoed = joinMessages([{ type: HandshakeType.end_of_early_data, body: new Uint8Array(0) }, ...splitMessages(fin)]);
  await rejectsAlert(() => p.server.handshake(withEoed), 'unexpected_message');
  // a KeyUpdate after the handshake (QUIC uses its own key update) → unexpected_message
  const q = enginePair(quic, quic);
  await runHandshake(q.client, q.server);
  await rejectsAlert(() => q.client.handshake(Uint8Array.of(24, 0, 0, 1, 0)), 'unexpected_message');
  await rejectsAlert(() => q.server.post('keyUpdate'), 'internal_error');
});

s.run();
