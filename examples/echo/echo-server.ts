/**
 * echo-server: a QUIC echo server on @quichs/quic-transport. Every stream a client opens gets back what it sends.
 * Prints one line per connection event to stderr (handshake, close with counters).
 * Run: pnpm echo-server [options]   (or node --conditions=source --import tsx examples/echo/echo-server.ts; --help)
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseCli } from '../tls/common.js';
import { COMMON_OPTIONS, commonOptionsOf, intOption, lossText, runCli, str, UsageError, versionOf } from './cli.js';
import { startEchoServer } from './echoServer.js';
import { stateLine } from './handshakeReport.js';

const { values: v } = parseCli(process.argv.slice(2), 'usage: echo-server [options]', [
  { name: 'host', type: 'string', arg: 'ADDR', help: 'address to bind (default 127.0.0.1; 0.0.0.0 or :: for all)' },
  { name: 'port', type: 'string', arg: 'PORT', help: 'UDP port (default 4433; 0 = any free port)' },
  { name: 'cert', type: 'string', arg: 'FILE', help: 'certificate chain, PEM (default: a self-signed one is generated)' },
  { name: 'key', type: 'string', arg: 'FILE', help: 'its private key, PEM' },
  { name: 'cert-out', type: 'string', arg: 'FILE', help: 'write the certificate in use (e.g. the generated one) to FILE, for the client --ca' },
  { name: 'version', type: 'string', arg: 'LIST', help: 'QUIC versions to accept: v1, v2 or v1,v2 (default v1,v2)' },
  { name: 'retry', type: 'boolean', help: 'validate client addresses with a Retry first' },
  { name: 'early-data', type: 'boolean', help: 'accept 0-RTT early data from resuming clients' },
  { name: 'key-update', type: 'boolean', help: 'start a 1-RTT key update on each connection once its data flows' },
  { name: 'count', type: 'string', arg: 'N', help: 'exit after N connections have closed' },
  ...COMMON_OPTIONS,
]);

await runCli('echo-server', async () => {
  const common = commonOptionsOf(v);
  const certFile = str(v, 'cert');
  const keyFile = str(v, 'key');
  if ((certFile === undefined) !== (keyFile === undefined)) throw new UsageError('--cert and --key go together');
  const versions = (str(v, 'version') ?? 'v1,v2').split(',').map((x) => versionOf(x.trim()));
  const count = intOption(v, 'count', 1, 1_000_000);
  const quiet = v.quiet === true;
  const log = (line: string): void => {
    if (!quiet) process.stderr.write(`${line}\n`);
  };
  const server = await startEchoServer({
    ...common,
    host: str(v, 'host'),
    port: intOption(v, 'port', 0, 65_535) ?? 4433,
    cert: certFile === undefined ? undefined : readFileSync(certFile, 'utf8'),
    key: keyFile === undefined ? undefined : readFileSync(keyFile, 'utf8'),
    versions,
    retry: v.retry === true,
    earlyData: v['early-data'] === true,
    keyUpdate: v['key-update'] === true,
    log,
    onConnection: (conn, record) => conn.once('handshake', () => log(`#${record.id}: TLS states ${stateLine(record.tlsStates)}`)),
  });
  const certOut = str(v, 'cert-out');
  if (certOut !== undefined) writeFileSync(certOut, server.certificatePem);
  const a = server.address;
  const features = [
    versions.map((x) => (x === 1 ? 'v1' : 'v2')).join('+'),
    `ALPN ${(common.alpn ?? ['echo']).join(',')}`,
    v.retry ? 'Retry' : undefined,
    v['early-data'] ? '0-RTT' : undefined,
    common.congestionControl ?? 'newreno',
    lossText(common.loss),
  ].filter((x) => x !== undefined);
  // The LISTEN line is printed even with --quiet: scripts wait for it to learn the port.
  process.stderr.write(`LISTEN ${a.address}:${a.port} (${features.join(', ')})\n`);
  log(`certificate: ${server.selfSigned ? 'self-signed for localhost, 127.0.0.1, ::1' : certFile}; SHA-256 ${server.fingerprint}` +
    `${certOut !== undefined ? `; written to ${certOut}` : ''}`);
  const stop = (): void => void server.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  if (count !== undefined) {
    await server.closedConnections(count);
    await server.close();
    if (server.dropped !== undefined) log(`simulated loss dropped ${server.dropped.sent} outgoing and ${server.dropped.received} incoming datagrams`);
    process.exit(0);
  }
});
