/**
 * Options shared by echo-server.ts and echo-client.ts, and their conversion to the library options. Parsing and
 * --help come from the TLS example CLIs (examples/tls/common.ts).
 */
import { QUIC_VERSION_1, QUIC_VERSION_2 } from '@quichs/quic-transport';
import { list, type CliOption } from '../tls/common.js';
import { parseLossRate, type LossSide, type LossSimulation } from './lossSimulation.js';

/** Parsed option values. */
export type CliValues = Record<string, string | boolean | undefined>;

/** Options both CLIs take. */
export const COMMON_OPTIONS: readonly CliOption[] = [
  { name: 'alpn', type: 'string', arg: 'LIST', help: 'ALPN protocols, comma-separated (default echo)' },
  { name: 'cipher', type: 'string', arg: 'LIST', help: 'TLS 1.3 cipher suites, comma-separated (e.g. TLS_CHACHA20_POLY1305_SHA256)' },
  { name: 'groups', type: 'string', arg: 'LIST', help: 'key exchange groups, comma-separated (default X25519MLKEM768,x25519,…)' },
  { name: 'keylog', type: 'string', arg: 'FILE', help: 'append NSS key log lines (SSLKEYLOGFILE format; Wireshark decrypts with it)' },
  { name: 'qlog-dir', type: 'string', arg: 'DIR', help: 'write one qlog file (JSON-SEQ, for qvis) per connection into DIR' },
  { name: 'cc', type: 'string', arg: 'NAME', help: 'congestion control: newreno (default) or cubic' },
  { name: 'max-datagram', type: 'string', arg: 'BYTES', help: 'largest UDP payload to send (default 1452, at least 1200)' },
  { name: 'loss', type: 'string', arg: 'RATE', help: 'simulate loss: drop this fraction of datagrams (0.1 or 10%)' },
  { name: 'loss-side', type: 'string', arg: 'SIDE', help: 'which datagrams --loss drops: send, receive or both (default both)' },
  { name: 'loss-seed', type: 'string', arg: 'N', help: 'seed of the loss simulation (default 1)' },
  { name: 'quiet', type: 'boolean', help: 'print only errors' },
];

/** Thrown for a bad option value (the CLIs print it and exit 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** The string value of an option, if given. */
export function str(v: CliValues, name: string): string | undefined {
  const x = v[name];
  return typeof x === 'string' ? x : undefined;
}

/** An integer option within [min, max]. */
export function intOption(v: CliValues, name: string, min: number, max: number): number | undefined {
  const x = str(v, name);
  if (x === undefined) return undefined;
  const n = Number(x);
  if (!Number.isInteger(n) || n < min || n > max) throw new UsageError(`--${name} wants an integer in ${min}..${max}, got "${x}"`);
  return n;
}

/** --version v1 / v2 (or the hex number). */
export function versionOf(text: string): number {
  const t = text.toLowerCase();
  if (t === 'v1' || t === '1') return QUIC_VERSION_1;
  if (t === 'v2' || t === '2') return QUIC_VERSION_2;
  const n = /^0x[0-9a-f]{1,8}$/.test(t) ? Number(t) : NaN;
  if (n === QUIC_VERSION_1 || n === QUIC_VERSION_2) return n;
  throw new UsageError(`unknown QUIC version "${text}" (v1 or v2)`);
}

/** --cc. */
export function congestionControlOf(v: CliValues): 'newreno' | 'cubic' | undefined {
  const x = str(v, 'cc');
  if (x === undefined) return undefined;
  const t = x.toLowerCase();
  if (t === 'newreno' || t === 'cubic') return t;
  throw new UsageError(`--cc wants newreno or cubic, got "${x}"`);
}

/** --loss, --loss-side, --loss-seed. */
export function lossOf(v: CliValues): LossSimulation | undefined {
  const r = str(v, 'loss');
  if (r === undefined) {
    if (str(v, 'loss-side') !== undefined || str(v, 'loss-seed') !== undefined) throw new UsageError('--loss-side / --loss-seed need --loss');
    return undefined;
  }
  let rate: number;
  try {
    rate = parseLossRate(r);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const side = (str(v, 'loss-side') ?? 'both') as LossSide;
  if (side !== 'send' && side !== 'receive' && side !== 'both') throw new UsageError(`--loss-side wants send, receive or both, got "${side}"`);
  return { rate, side, seed: intOption(v, 'loss-seed', 0, 2 ** 32 - 1) ?? 1 };
}

/** The library options the common flags map to. */
export function commonOptionsOf(v: CliValues): {
  alpn: string[] | undefined;
  ciphers: string[] | undefined;
  groups: string[] | undefined;
  keylogFile: string | undefined;
  qlogDir: string | undefined;
  congestionControl: 'newreno' | 'cubic' | undefined;
  maxDatagramSize: number | undefined;
  loss: LossSimulation | undefined;
} {
  return {
    alpn: list(v.alpn),
    ciphers: list(v.cipher),
    groups: list(v.groups),
    keylogFile: str(v, 'keylog'),
    qlogDir: str(v, 'qlog-dir'),
    congestionControl: congestionControlOf(v),
    maxDatagramSize: intOption(v, 'max-datagram', 1200, 65_527),
    loss: lossOf(v),
  };
}

/** Describes a loss simulation for the banner. */
export function lossText(loss: LossSimulation | undefined): string {
  return loss === undefined ? 'no simulated loss' : `simulated loss ${(loss.rate * 100).toFixed(1)}% (${loss.side}, seed ${loss.seed})`;
}

/** Runs a CLI body: a UsageError exits 2, any other error prints its message and exits 1. */
export async function runCli(name: string, body: () => Promise<void>): Promise<void> {
  try {
    await body();
  } catch (e) {
    process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = e instanceof UsageError ? 2 : 1;
  }
}
