/**
 * THE SEED'S SWITCH (ARCHITECTURE.md, lxin/tls_hs seed 003): every in-order run of CRYPTO bytes of one encryption
 * level goes into `tls.handshake(bytes, level)`, and the connection acts on the returned state — install keys, send
 * the produced handshake messages in CRYPTO frames of their level, complete or confirm the handshake. A TLS alert
 * becomes CONNECTION_CLOSE with 0x0100 + alert (or the transport error RFC 9001 names for it). Everything else in the connection hangs off this one function.
 */
import { TlsAlert, TlsState, type EncryptionLevel as TlsLevel, type HandshakeResult, type TlsEngine, type TlsFlight, type TlsStateValue } from '@quichs/tls-hs';

/** What the switch needs from the connection. Every action is idempotent (CONNECTED repeats after a ticket). */
export interface TlsSwitchHost {
  /** Our role. */
  readonly role: 'client' | 'server';
  /** The TLS engine of the connection. */
  readonly tls: TlsEngine;
  /** Observes each state `tls.handshake()` returned, with the level whose bytes went in (observability only). */
  tlsStateSeen(state: TlsStateValue, level: TlsLevel): void;
  /** Queues handshake bytes in the CRYPTO stream of each flight's level. */
  sendCrypto(flights: readonly TlsFlight[]): void;
  /** Installs the keys of a level from the engine's secrets and negotiated suite (once). */
  installKeys(level: 'zeroRtt' | 'handshake' | 'oneRtt'): void;
  /** Server: true when the engine accepted the client's early data (0-RTT keys are then installed). */
  earlyDataAccepted(): boolean;
  /** Client: true when the ClientHello just produced offers early data (0-RTT keys are then installed). */
  earlyDataOffered(): boolean;
  /** Client: the handshake is complete (the server's Finished verified, ours queued). */
  handshakeCompleted(): void;
  /** Server: the handshake is complete and confirmed — send HANDSHAKE_DONE, discard the Handshake keys. */
  handshakeConfirmed(): void;
  /** An asynchronous step (SNICallback) is running: call the switch again with `null` once `tls.ready` settles. */
  tlsPending(level: TlsLevel): void;
  /** The handshake failed: CONNECTION_CLOSE with CRYPTO_ERROR 0x0100 + alert (or the alert's `quicTransportError`). */
  closeWithTlsAlert(alert: TlsAlert): void;
}

/** Feeds `cryptoBytes` of `level` (or `null`: "produce your next flight") to TLS and acts on the state. */
export function tlsSwitch(host: TlsSwitchHost, cryptoBytes: Uint8Array | null, level: TlsLevel): void {
  const tls = host.tls;
  try {
    const r: HandshakeResult = tls.handshake(cryptoBytes, cryptoBytes === null ? undefined : level);
    host.tlsStateSeen(r.state, level);
    switch (r.state) {
      case TlsState.START: // client: ClientHello (again, after a HelloRetryRequest); server: HelloRetryRequest sent
      case TlsState.WAIT: // waiting for the peer's next flight
        host.sendCrypto(r.flights);
        if (host.role === 'client' && host.earlyDataOffered()) host.installKeys('zeroRtt'); // resumption with 0-RTT
        return;
      case TlsState.RCVD:
        if (host.role === 'server') {
          if (host.earlyDataAccepted()) host.installKeys('zeroRtt');
          host.sendCrypto(r.flights); // ServerHello in Initial CRYPTO
          host.installKeys('handshake');
          const out2 = tls.handshake(null); // EncryptedExtensions, CertificateRequest?, Certificate, CertificateVerify, Finished
          host.tlsStateSeen(out2.state, 'handshake');
          host.sendCrypto(out2.flights); // in Handshake CRYPTO
          host.installKeys('oneRtt');
        } else {
          host.installKeys('handshake');
        }
        return;
      case TlsState.CONNECTED:
        if (host.role === 'server') {
          host.sendCrypto(r.flights); // NewSessionTickets in 1-RTT CRYPTO
          host.handshakeConfirmed(); // HANDSHAKE_DONE, discard Handshake keys
        } else {
          host.sendCrypto(r.flights); // Certificate?, CertificateVerify?, Finished in Handshake CRYPTO
          host.installKeys('oneRtt');
          host.handshakeCompleted();
        }
        return;
      case TlsState.PENDING: // an asynchronous SNICallback is running
        host.tlsPending(level);
        return;
    }
  } catch (e) {
    if (!(e instanceof TlsAlert)) throw e; // the engine throws nothing else; anything else is the host's own error
    host.closeWithTlsAlert(e);
  }
}
