/**
 * The sessions code paths never crash on bad input: mutated resumption ClientHellos (pre_shared_key with a real
 * ticket, early_data) into servers, mutated NewSessionTickets into a connected client, truncated / garbage session
 * bytes and ticket-key exports — only TlsAlert comes out, and a server that survives a mutation is still sound
 * (it either resumed with the genuine PSK or went on without it). Also 0-RTT in QUIC mode one byte at a time.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { TlsAlert } from '../src/alerts.js';
import { TlsState } from '../src/engine/tlsState.js';
import { HandshakeType } from '../src/wire/constants.js';
import { encodeHandshake } from '../src/wire/handshakeMessage.js';
import { encodeNewSessionTicket } from '../src/wire/newSessionTicket.js';
import { AntiReplay } from '../src/session/antiReplay.js';
import { TicketKeyManager } from '../src/session/ticketKeyManager.js';
import { TlsSession } from '../src/session/tlsSession.js';
import { pseudoRandom } from './crypto-helpers.js';
import { provider, runHandshake } from './engine-helpers.js';
import { TestClock, enginePair, firstSessions } from './sessions-helpers.js';

const s = suite('sessions: robustness');

/** Flips / overwrites / truncates / extends bytes, deterministically from `seed`. */
function mutate(src: Uint8Array, seed: number): Uint8Array {
  const r = pseudoRandom(8, seed);
  const kind = r[0] % 4;
  const at = ((r[1] << 8) | r[2]) % src.length;
  if (kind === 0) {
    const out = src.slice();
    out[at] ^= 1 << (r[3] % 8);
    return out;
  }
  if (kind === 1) {
    const out = src.slice();
    out.set(pseudoRandom(Math.min(1 + (r[3] % 8), src.length - at), seed + 1), at);
    return out;
  }
  if (kind === 2) return src.subarray(0, at);
  const out = new Uint8Array(src.length + 1 + (r[3] % 16));
  out.set(src);
  out.set(pseudoRandom(out.length - src.length, seed + 2), src.length);
  return out;
}

function onlyAlerts(fn: () => void, what: string): 'ok' | 'alert' {
  try {
    fn();
    return 'ok';
  } catch (e) {
    assert.ok(e instanceof TlsAlert, `${what}: ${String(e)}`);
    return 'alert';
  }
}

s('3000 mutated 0-RTT resumption ClientHellos: TlsAlert or a sound answer, never anything else', async () => {
  const clock = new TestClock();
  const keys = new TicketKeyManager();
  const server = { clock: clock.fn, ticketKeys: keys, earlyData: true, antiReplay: new AntiReplay({ maxEntries: 1_000_000 }) };
  const { sessions } = await firstSessions(provider, { clock: clock.fn, earlyData: true }, server);
  const { client } = enginePair(provider, { clock: clock.fn, earlyData: true, session: sessions[0] }, server);
  const hello = client.handshake(null).out;
  const counts = { ok: 0, alert: 0 };
  for (let i = 0; i < 3000; i++) {
    const { server: sv } = enginePair(provider, {}, server);
    const bad = mutate(hello, i * 7 + 1);
    const res = onlyAlerts(() => {
      const r = sv.handshake(bad);
      if (r.state === TlsState.RCVD) sv.handshake(null);
    }, `seed ${i}`);
    counts[res]++;
    // a mutated hello that still resumes must have kept the genuine binder, so the PSK is the real one
    if (res === 'ok' && sv.resumed) assert.ok(sv.secret('early') !== undefined);
  }
  assert.ok(counts.alert > 1000, JSON.stringify(counts));
});

s('2000 mutated NewSessionTickets into a connected client (TCP and QUIC): TlsAlert or a stored session', async () => {
  const nst = encodeHandshake(HandshakeType.new_session_ticket, encodeNewSessionTicket({
    lifetime: 3600, ageAdd: 0x01020304, nonce: Uint8Array.of(0, 1), ticket: pseudoRandom(80, 9),
    extensions: [{ type: 42, data: Uint8Array.of(0, 0, 0x40, 0) }, { type: 0x1a1a, data: Uint8Array.of(1) }],
  }));
  for (const quic of [false, true]) {
    const q = quic ? { quic: true, transportParameters: Uint8Array.of(1) } : {};
    let stored = 0;
    for (let i = 0; i < 1000; i++) {
      const { client, server } = enginePair(provider, { ...q, maxConsecutivePostHandshake: 1000, onSession: () => stored++ }, { ...q, ticketCount: 0 });
      if (i === 0) await runHandshake(client, server);
      else {
        const ch = client.handshake(null);
        client.handshake(server.handshake(ch.out).out);
        const fin = client.handshake(server.handshake(null).out);
        server.handshake(fin.out);
      }
      onlyAlerts(() => client.handshake(mutate(nst, 5000 + i), 'application'), `nst ${i}`);
    }
    assert.ok(stored > 0, 'some mutations still parse as tickets');
  }
});

s('garbage sessions and ticket-key exports are decode_error', () => {
  const good = new TlsSession({
    ticket: pseudoRandom(40, 1), psk: pseudoRandom(32, 2), suite: 0x1301, lifetime: 60, ageAdd: 3, receivedAt: 5,
    maxEarlyDataSize: 0, alpn: 'h2', serverName: 'a.example', quic: false, transportParameters: undefined, peerCertificate: undefined,
  }).toBytes();
  const exported = new TicketKeyManager().export();
  let alerts = 0;
  for (let i = 0; i < 2000; i++) {
    const bytes = mutate(i % 2 === 0 ? good : exported, 90_000 + i);
    try {
      if (i % 2 === 0) TlsSession.fromBytes(bytes);
      else new TicketKeyManager({ keys: bytes });
    } catch (e) {
      assert.ok(e instanceof TlsAlert || e instanceof RangeError, String(e));
      alerts++;
    }
  }
  assert.ok(alerts > 500);
});

s('QUIC 0-RTT resumption delivered one byte at a time', async () => {
  const clock = new TestClock();
  const keys = new TicketKeyManager();
  const q = { quic: true, transportParameters: Uint8Array.of(1), ALPNProtocols: ['h3'], clock: clock.fn, earlyData: true };
  const server = { ...q, ticketKeys: keys, antiReplay: new AntiReplay() };
  const { sessions } = await firstSessions(provider, q, server);
  clock.advance(100);
  const { client, server: sv } = enginePair(provider, { ...q, session: sessions[0] }, server);
  await runHandshake(client, sv, { chunk: 1 });
  assert.is(client.earlyDataStatus, 'accepted');
  assert.is(sv.earlyDataStatus, 'accepted');
  assert.ok(sv.resumed);
});

s.run();
