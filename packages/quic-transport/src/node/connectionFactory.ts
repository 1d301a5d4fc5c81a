/**
 * The default {@link ConnectionFactory} of the UDP `Endpoint`: real sans-IO {@link Connection}s configured from the
 * endpoint's per-connection options (TLS, transport parameters, version, congestion control, qlog, key log). This is
 * the Node layer, so it may read the wall clock: certificate validity is checked against `Date.now()` unless the
 * TLS options bring their own clock.
 */
import { defaultProvider, type TlsEngineOptions } from '@quichs/tls-hs';
import { Connection } from '../connection/connection.js';
import type { ClientConnectionCoreOptions, ConnectionCoreOptions } from '../connection/connectionOptions.js';
import type { ConnectionContext, ConnectionFactory } from '../endpoint/udpEndpoint.js';
import type { ConnectionCore } from './connectionCore.js';

/** The wall clock the TLS engines check certificates against (one function for every connection). */
const wallClock = (): number => Date.now();

/**
 * The onWakeup of one connection, made in a scope of its own: the closure keeps the endpoint's wakeup and the slot
 * the connection is put in once created, not everything the factory had in scope.
 */
function wakeupFor(wakeup: ConnectionContext['wakeup'], slot: { conn?: Connection }): () => void {
  return () => {
    if (slot.conn !== undefined) wakeup?.(slot.conn);
  };
}

function baseOptions(ctx: ConnectionContext, wake: () => void): ConnectionCoreOptions {
  const o = ctx.options;
  const tls: TlsEngineOptions = { clock: wallClock, ...o.tls };
  return {
    ...o.connection,
    tls,
    transportParameters: o.transportParameters ?? o.connection?.transportParameters,
    congestionControl: o.congestionControl ?? o.connection?.congestionControl,
    provider: ctx.provider ?? o.connection?.provider,
    keylog: ctx.keylog ?? o.connection?.keylog,
    onWakeup: wake,
  };
}

/** Creates the factory the Endpoint uses by default. */
export function createConnectionFactory(): ConnectionFactory {
  return {
    client(out, ctx): ConnectionCore {
      const slot: { conn?: Connection } = {};
      const base = baseOptions(ctx, wakeupFor(ctx.wakeup, slot));
      const dcid = ctx.options.connection?.initialDcid ?? (base.provider ?? defaultProvider()).randomBytes(8);
      const options: ClientConnectionCoreOptions = {
        ...base,
        version: ctx.options.version,
        tls: { ...base.tls, servername: ctx.servername ?? base.tls?.servername },
        token: ctx.token ?? ctx.options.connection?.token,
        tokenVersion: ctx.token !== undefined ? ctx.tokenVersion : ctx.options.connection?.tokenVersion,
        initialDcid: dcid,
      };
      if (ctx.qlog !== undefined) options.qlog = ctx.qlog(dcid, 'client');
      slot.conn = Connection.client(out, options);
      return slot.conn;
    },
    server(incoming, ctx): ConnectionCore {
      const slot: { conn?: Connection } = {};
      const options = baseOptions(ctx, wakeupFor(ctx.wakeup, slot));
      if (ctx.qlog !== undefined) options.qlog = ctx.qlog(incoming.originalDcid, 'server');
      slot.conn = Connection.server(incoming, options);
      return slot.conn;
    },
  };
}
