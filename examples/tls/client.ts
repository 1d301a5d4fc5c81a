/**
 * A TLS 1.3 client on @quichs/tls-socket, in the manner of `openssl s_client`: connects, prints what was negotiated
 * to stderr, then copies stdin to the connection and the connection to stdout until either side ends.
 * Run: node --conditions=source --import tsx examples/tls/client.ts [options] host:port   (--help for the list)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { TlsSession } from '@quichs/tls-hs';
import { connect } from '@quichs/tls-socket';
import { describe, keylogTo, list, parseCli, pskOf, readText } from './common.js';

const { values: o, positionals } = parseCli(process.argv.slice(2), 'usage: client.ts [options] host:port', [
  { name: 'servername', type: 'string', arg: 'NAME', help: 'SNI and the name the certificate must match (default: the host, unless an IP)' },
  { name: 'ca', type: 'string', arg: 'FILE', help: 'trust anchors (PEM) to verify the server with' },
  { name: 'insecure', type: 'boolean', help: 'do not verify the server certificate' },
  { name: 'cert', type: 'string', arg: 'FILE', help: 'our certificate chain (PEM), if the server asks for one' },
  { name: 'key', type: 'string', arg: 'FILE', help: 'its private key (PEM)' },
  { name: 'psk', type: 'string', arg: 'HEX', help: 'external pre-shared key' },
  { name: 'psk-identity', type: 'string', arg: 'ID', help: 'its identity (default Client_identity)' },
  { name: 'alpn', type: 'string', arg: 'LIST', help: 'ALPN protocols to offer, comma-separated' },
  { name: 'ciphers', type: 'string', arg: 'LIST', help: 'TLS 1.3 cipher suites, comma-separated' },
  { name: 'groups', type: 'string', arg: 'LIST', help: 'key exchange groups, comma-separated' },
  { name: 'keylog', type: 'string', arg: 'FILE', help: 'append NSS key log lines (SSLKEYLOGFILE format)' },
  { name: 'sess-out', type: 'string', arg: 'FILE', help: 'save the session the server gives, to resume later' },
  { name: 'sess-in', type: 'string', arg: 'FILE', help: 'resume the session saved in FILE' },
  { name: 'early-data', type: 'string', arg: 'FILE', help: 'send FILE as 0-RTT early data (with --sess-in)' },
  { name: 'key-update', type: 'boolean', help: 'send a KeyUpdate (update_requested) right after the handshake' },
  { name: 'commands', type: 'boolean', help: 'a stdin line "k" / "K" sends a KeyUpdate (without / with update_requested)' },
  { name: 'quiet', type: 'boolean', help: 'print no summary' },
]);

const target = positionals[0];
const m = target === undefined ? null : /^(?:\[([^\]]+)\]|([^:]+)):(\d+)$/.exec(target);
if (m === null) {
  process.stderr.write('client.ts: give host:port (see --help)\n');
  process.exit(2);
}
const host = m[1] ?? m[2];
const port = Number(m[3]);
const psks = pskOf(o);

const socket = connect({
  host,
  port,
  servername: typeof o.servername === 'string' ? o.servername : undefined,
  ca: readText(o.ca),
  rejectUnauthorized: o.insecure !== true && (o.ca !== undefined || psks === undefined),
  cert: readText(o.cert),
  key: readText(o.key),
  psks,
  ALPNProtocols: list(o.alpn),
  ciphers: list(o.ciphers),
  groups: list(o.groups),
  keylog: keylogTo(o.keylog),
  session: typeof o['sess-in'] === 'string' ? TlsSession.fromBytes(readFileSync(o['sess-in'])) : undefined,
  sendEarlyData: typeof o['early-data'] === 'string' ? readFileSync(o['early-data']) : undefined,
});

socket.on('error', (e: Error) => {
  process.stderr.write(`client.ts: ${e.message}\n`);
  process.exitCode = 1;
});
socket.on('session', (s: TlsSession) => {
  if (typeof o['sess-out'] === 'string') writeFileSync(o['sess-out'], s.toBytes());
});
socket.on('keyUpdate', (direction: string) => {
  if (!o.quiet) process.stderr.write(`KEYUPDATE (${direction})\n`);
});
socket.once('secureConnect', () => {
  if (!o.quiet) process.stderr.write(`CONNECTED ${host}:${port}\n${describe(socket)}`);
  if (o['key-update']) socket.keyUpdate(true);
  process.stdin.on('data', (chunk: Buffer) => {
    const line = chunk.toString().trim();
    if (o.commands && (line === 'k' || line === 'K')) socket.keyUpdate(line === 'K');
    else socket.write(chunk);
  });
  process.stdin.on('end', () => socket.end());
});
socket.pipe(process.stdout);
socket.on('close', () => process.stdin.destroy());
