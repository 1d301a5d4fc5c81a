/**
 * A TLS 1.3 server on @quichs/tls-socket, in the manner of `openssl s_server`: accepts connections, prints what each
 * negotiated to stderr, and echoes what it receives (--rev: each line reversed, like s_server -rev; --stdio: the
 * client's data to stdout and stdin to the latest client). Session tickets are issued, so clients can resume.
 * Run: node --conditions=source --import tsx examples/tls/server.ts [options]   (--help for the list)
 */
import { createServer, type TlsSocket } from '@quichs/tls-socket';
import { CertRequest } from '@quichs/tls-hs';
import { describe, keylogTo, list, parseCli, pskOf, readText } from './common.js';

const { values: o } = parseCli(process.argv.slice(2), 'usage: server.ts [options]', [
  { name: 'accept', type: 'string', arg: '[HOST:]PORT', help: 'where to listen (default 127.0.0.1:4433)' },
  { name: 'cert', type: 'string', arg: 'FILE', help: 'our certificate chain (PEM)' },
  { name: 'key', type: 'string', arg: 'FILE', help: 'its private key (PEM)' },
  { name: 'sni', type: 'string', arg: 'NAME:CERT:KEY', help: 'another certificate + key for clients that ask for NAME (SNI)' },
  { name: 'ca', type: 'string', arg: 'FILE', help: 'trust anchors (PEM) for client certificates' },
  { name: 'verify', type: 'boolean', help: 'require a client certificate (with --ca)' },
  { name: 'verify-optional', type: 'boolean', help: 'ask for a client certificate, accept none (with --ca)' },
  { name: 'psk', type: 'string', arg: 'HEX', help: 'accept this external pre-shared key' },
  { name: 'psk-identity', type: 'string', arg: 'ID', help: 'its identity (default Client_identity)' },
  { name: 'alpn', type: 'string', arg: 'LIST', help: 'ALPN protocols we speak, preference order, comma-separated' },
  { name: 'ciphers', type: 'string', arg: 'LIST', help: 'TLS 1.3 cipher suites, comma-separated' },
  { name: 'groups', type: 'string', arg: 'LIST', help: 'key exchange groups, preference order, comma-separated' },
  { name: 'keylog', type: 'string', arg: 'FILE', help: 'append NSS key log lines (SSLKEYLOGFILE format)' },
  { name: 'early-data', type: 'boolean', help: 'accept 0-RTT early data (and issue tickets that allow it)' },
  { name: 'no-tickets', type: 'boolean', help: 'issue no session tickets (no resumption)' },
  { name: 'key-update', type: 'boolean', help: 'send each client a KeyUpdate (update_requested) after the handshake' },
  { name: 'rev', type: 'boolean', help: 'answer each line reversed instead of echoing' },
  { name: 'stdio', type: 'boolean', help: 'client data to stdout, stdin to the latest client' },
  { name: 'naccept', type: 'string', arg: 'N', help: 'exit after N connections' },
  { name: 'quiet', type: 'boolean', help: 'print no summaries' },
]);

const accept = typeof o.accept === 'string' ? o.accept : '4433';
const am = /^(?:(.+):)?(\d+)$/.exec(accept);
if (am === null) {
  process.stderr.write('server.ts: --accept wants [HOST:]PORT\n');
  process.exit(2);
}
const psks = pskOf(o);
if (o.cert === undefined && psks === undefined) {
  process.stderr.write('server.ts: give --cert and --key, or --psk\n');
  process.exit(2);
}
const sni = typeof o.sni === 'string' ? o.sni.split(':') : undefined;
if (sni !== undefined && sni.length !== 3) {
  process.stderr.write('server.ts: --sni wants NAME:CERT:KEY\n');
  process.exit(2);
}
const alt = sni === undefined ? undefined : { name: sni[0], cert: readText(sni[1])!, key: readText(sni[2])! };
const ca = readText(o.ca);
let left = typeof o.naccept === 'string' ? Number(o.naccept) : Infinity;
let latest: TlsSocket | undefined;

const server = createServer({
  cert: readText(o.cert),
  key: readText(o.key),
  SNICallback: alt === undefined ? undefined : (name) => (name === alt.name ? { cert: alt.cert, key: alt.key } : undefined),
  ca,
  certRequest: ca === undefined ? CertRequest.NONE : o.verify ? CertRequest.REQUIRED : o['verify-optional'] ? CertRequest.OPTIONAL : CertRequest.NONE,
  psks,
  ALPNProtocols: list(o.alpn),
  ciphers: list(o.ciphers),
  groups: list(o.groups),
  keylog: keylogTo(o.keylog),
  earlyData: o['early-data'] === true,
  ticketCount: o['no-tickets'] ? 0 : undefined,
}, (t) => {
  latest = t;
  const peer = `${(t.transport as { remoteAddress?: string }).remoteAddress}:${(t.transport as { remotePort?: number }).remotePort}`;
  if (!o.quiet) process.stderr.write(`ACCEPTED ${peer}\n${describe(t)}${t.earlyData.length > 0 ? `  early data: ${t.earlyData.length} bytes\n` : ''}`);
  t.on('error', (e: Error) => process.stderr.write(`${peer}: ${e.message}\n`));
  t.on('keyUpdate', (d: string) => {
    if (!o.quiet) process.stderr.write(`${peer}: KEYUPDATE (${d})\n`);
  });
  if (o['key-update']) t.keyUpdate(true);
  if (o.stdio) {
    t.pipe(process.stdout, { end: false });
  } else if (o.rev) {
    let pending = '';
    t.on('data', (d: Buffer) => {
      pending += d.toString();
      for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
        t.write(`${[...pending.slice(0, i)].reverse().join('')}\n`);
        pending = pending.slice(i + 1);
      }
    });
    t.on('end', () => t.end());
  } else {
    t.pipe(t);
  }
  t.on('close', () => {
    if (--left <= 0) server.close();
  });
});
server.on('tlsClientError', (e: Error) => {
  process.stderr.write(`handshake failed: ${e.message}\n`);
  if (--left <= 0) server.close();
});
if (o.stdio) process.stdin.on('data', (d: Buffer) => latest?.write(d));
server.listen(Number(am[2]), am[1] ?? '127.0.0.1', () => {
  const a = server.address() as { address: string; port: number };
  process.stderr.write(`ACCEPT ${a.address}:${a.port}\n`);
});
server.on('close', () => process.stdin.destroy());
