/**
 * How the echo CLIs and the demo print a handshake: the TLS states the transport's seed switch got back from
 * `tls.handshake()` (QuicConnection 'tlsState' events) with what the switch did in each, the negotiated parameters,
 * and transfer figures.
 */
import { QUIC_VERSION_1, QUIC_VERSION_2, type HandshakeInfo, type TlsStateInfo } from '@quichs/quic-transport';

/** One line per distinct state (consecutive repeats — a message split over packets — folded). */
export function foldStates(states: readonly TlsStateInfo[]): TlsStateInfo[] {
  return states.filter((s, i) => i === 0 || s.state !== states[i - 1].state || s.level !== states[i - 1].level);
}

/** What the seed's switch does on `state` for `role` (ARCHITECTURE.md). */
export function switchAction(role: 'client' | 'server', s: TlsStateInfo, first: boolean): string {
  const client = role === 'client';
  switch (s.state) {
    case 'START':
      return client ? (first ? 'ClientHello → Initial CRYPTO' : 'ClientHello again, for the HelloRetryRequest') : 'HelloRetryRequest → Initial CRYPTO';
    case 'RCVD':
      return client
        ? 'ServerHello read: Handshake keys installed'
        : 'ClientHello read: ServerHello → Initial, Handshake keys, EncryptedExtensions…Finished → Handshake, 1-RTT keys';
    case 'WAIT':
      return client ? 'part of the server flight read, waiting for the rest' : "flight sent, waiting for the client's Finished";
    case 'CONNECTED':
      if (s.level === 'application') return client ? 'NewSessionTicket read' : 'post-handshake message read';
      return client
        ? 'server Finished verified: Finished → Handshake CRYPTO, 1-RTT keys installed'
        : 'client Finished verified: HANDSHAKE_DONE sent, Handshake keys discarded';
    case 'PENDING':
      return 'waiting for an asynchronous callback (SNI)';
  }
}

/** The state sequence on one line: "START → RCVD → CONNECTED". */
export function stateLine(states: readonly TlsStateInfo[]): string {
  return foldStates(states.filter((s) => s.level !== 'application'))
    .map((s) => s.state)
    .join(' → ');
}

/** A timeline of the handshake states of one or more roles (merged by time), times relative to `t0` (ms). */
export function stateTimeline(role: 'client' | 'server', states: readonly TlsStateInfo[], t0: number, indent = '  '): string[] {
  return mergedTimeline([{ role, states }], t0, indent);
}

/** The timelines of several connections' ends on one clock, in time order (ties keep client before server). */
export function mergedTimeline(sides: readonly { role: 'client' | 'server'; states: readonly TlsStateInfo[] }[], t0: number, indent = '  '): string[] {
  const entries: { time: number; line: string }[] = [];
  for (const { role, states } of sides) {
    let sawStart = false;
    for (const s of foldStates(states.filter((x) => x.level !== 'application'))) {
      const first = s.state !== 'START' || !sawStart;
      if (s.state === 'START') sawStart = true;
      const level = `(${s.level})`.padEnd(11);
      entries.push({ time: s.time, line: `${indent}${ms(s.time - t0).padStart(9)}  ${role.padEnd(6)}  ${s.state.padEnd(9)} ${level} ${switchAction(role, s, first)}` });
    }
  }
  return entries.sort((a, b) => a.time - b.time).map((e) => e.line);
}

/** The negotiated parameters of a handshake. */
export function handshakeSummary(info: HandshakeInfo, rttMs: number | undefined): string {
  const parts = [
    `QUIC ${versionName(info.version)}`,
    `suite ${info.suite ?? '?'}`,
    `group ${info.group ?? (info.resumed ? 'none (psk_ke)' : '?')}`,
    `ALPN ${info.alpn ?? '(none)'}`,
    info.resumed ? 'resumed session' : 'full handshake',
  ];
  if (info.resumed) parts.push(info.earlyDataAccepted ? '0-RTT accepted' : '0-RTT not used or rejected');
  if (rttMs !== undefined) parts.push(`RTT ${ms(rttMs)}`);
  return parts.join(', ');
}

/** "v1", "v2" or the hex number. */
export function versionName(version: number | undefined): string {
  if (version === QUIC_VERSION_1) return 'v1';
  if (version === QUIC_VERSION_2) return 'v2';
  return version === undefined ? '?' : `0x${version.toString(16)}`;
}

/** "12.3 ms". */
export function ms(value: number): string {
  return `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;
}

/** "12.3 MB" (10^6 bytes; small counts as bytes). */
export function megabytes(bytes: number): string {
  return bytes < 10_000 ? `${bytes} bytes` : `${(bytes / 1e6).toFixed(bytes < 1e7 ? 2 : 1)} MB`;
}

/** "45.6 MB/s". */
export function rate(bytes: number, millis: number): string {
  if (millis <= 0) return '-';
  const mbps = bytes / 1e6 / (millis / 1000);
  return mbps < 0.1 ? `${((bytes * 1000) / millis / 1e3).toFixed(1)} kB/s` : `${mbps.toFixed(1)} MB/s`;
}
