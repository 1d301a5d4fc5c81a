/**
 * quichs's interop endpoint: the quic-interop-runner endpoint contract (see config.ts) on @quichs/quic-transport,
 * with hq-interop (HTTP/0.9) and HTTP/3 (interop/h3) for both roles. Exit 0 on success, 1 on failure, 127 for an
 * unsupported case.
 *
 * Run as: ROLE=… TESTCASE=… node --conditions=source --import tsx interop/endpoint/main.ts
 */
import { ConfigError, EXIT, readConfig, UnsupportedCase } from './config.js';
import { log, runClient, runServer } from './roles.js';

async function main(): Promise<number> {
  try {
    const cfg = readConfig(process.env);
    return cfg.role === 'server' ? await runServer(cfg) : await runClient(cfg);
  } catch (e) {
    if (e instanceof UnsupportedCase) {
      process.stderr.write(`unsupported: ${e.message}\n`);
      return EXIT.unsupported;
    }
    log(`failed: ${e instanceof ConfigError ? e.message : e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    return EXIT.failed;
  }
}

process.exit(await main());
