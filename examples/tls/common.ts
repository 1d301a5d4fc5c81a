/**
 * Shared pieces of the TLS-over-TCP example CLIs (client.ts, server.ts): option parsing with --help, file and hex
 * inputs, the NSS key log writer, and the connection summary they print to stderr (as openssl s_client/s_server do).
 */
import { appendFileSync, readFileSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { parseX509Certificate, type ExternalPsk } from '@quichs/tls-hs';
import type { TlsSocket } from '@quichs/tls-socket';

/** One documented option of a CLI. */
export interface CliOption {
  /** Long name (without --). */
  readonly name: string;
  /** 'string' takes a value; 'boolean' is a flag. */
  readonly type: 'string' | 'boolean';
  /** Value placeholder for the help text. */
  readonly arg?: string;
  /** One-line description. */
  readonly help: string;
}

/** Parses argv against `options`; prints `usage` and the option list for --help (exit 0) or a bad option (exit 2). */
export function parseCli(argv: string[], usage: string, options: readonly CliOption[]): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  const config: ParseArgsConfig['options'] = { help: { type: 'boolean', short: 'h' } };
  for (const o of options) config[o.name] = { type: o.type };
  const helpText = (): string => {
    const width = Math.max(...options.map((o) => o.name.length + (o.arg ? o.arg.length + 1 : 0)));
    return `${usage}\n\noptions:\n${options.map((o) => `  --${`${o.name}${o.arg ? ` ${o.arg}` : ''}`.padEnd(width)}  ${o.help}`).join('\n')}\n  --${'help'.padEnd(width)}  this text\n`;
  };
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: config, allowPositionals: true });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${helpText()}`);
    process.exit(2);
  }
  if (parsed.values.help) {
    process.stdout.write(helpText());
    process.exit(0);
  }
  return { values: parsed.values as Record<string, string | boolean | undefined>, positionals: parsed.positionals };
}

/** A file's text, or undefined when no path was given. */
export function readText(path: string | boolean | undefined): string | undefined {
  return typeof path === 'string' ? readFileSync(path, 'utf8') : undefined;
}

/** A comma-separated list, or undefined. */
export function list(value: string | boolean | undefined): string[] | undefined {
  return typeof value === 'string' ? value.split(',').map((x) => x.trim()).filter((x) => x.length > 0) : undefined;
}

/** The external PSK of --psk (hex key) and --psk-identity (text, default "Client_identity" as OpenSSL's), if any. */
export function pskOf(values: Record<string, string | boolean | undefined>): ExternalPsk[] | undefined {
  if (typeof values.psk !== 'string') return undefined;
  if (!/^([0-9a-fA-F]{2})+$/.test(values.psk)) throw new Error('--psk wants the key in hex');
  const identity = typeof values['psk-identity'] === 'string' ? values['psk-identity'] : 'Client_identity';
  return [{ identity: new TextEncoder().encode(identity), key: Buffer.from(values.psk, 'hex') }];
}

/** The engine's keylog callback writing NSS key log lines (SSLKEYLOGFILE format) to `path`. */
export function keylogTo(path: string | boolean | undefined): ((line: string) => void) | undefined {
  return typeof path === 'string' ? (line: string) => appendFileSync(path, `${line}\n`) : undefined;
}

/** A few lines about a finished handshake, for stderr. */
export function describe(t: TlsSocket): string {
  const e = t.engine;
  const lines = [
    `protocol:   TLSv1.3, ${e.cipherSuite?.name ?? '?'}, group ${e.group ?? (e.pskMode === 'psk_ke' ? 'none (psk_ke)' : '?')}`,
    `session:    ${e.resumed ? 'resumed' : e.pskIdentity ? `external PSK "${Buffer.from(e.pskIdentity).toString()}"` : 'full handshake'}` +
      `${e.helloRetried ? ', after a HelloRetryRequest' : ''}`,
    `early data: ${t.earlyDataStatus}`,
    `ALPN:       ${e.alpnProtocol ?? '(none)'}`,
    `SNI:        ${e.serverName ?? '(none)'}`,
    `peer:       ${e.peerCertificates.length > 0 ? parseX509Certificate(e.peerCertificates[0]).subject.text : '(no certificate)'}`,
  ];
  return `${lines.map((l) => `  ${l}`).join('\n')}\n`;
}
