/**
 * RFC 8448 §3 "Simple 1-RTT Handshake": every secret, traffic key/IV, finished key and verify_data reproduced
 * from the trace's own messages and shared secret, and every record of the trace decrypted (and re-encrypted
 * byte-identically) by the record layer. Runs against both providers.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KeySchedule } from '../src/keyschedule/keySchedule.js';
import { Transcript } from '../src/keyschedule/transcript.js';
import { TLS_AES_128_GCM_SHA256 } from '../src/keyschedule/cipherSuite.js';
import { trafficKeys } from '../src/keyschedule/trafficKeys.js';
import { finishedKey, finishedVerifyData, verifyFinished } from '../src/keyschedule/finishedKey.js';
import { resumptionPsk } from '../src/keyschedule/exporter.js';
import { deriveSecret, emptyHash } from '../src/keyschedule/deriveSecret.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { RecordLayer } from '../src/record/recordLayer.js';
import { RecordType } from '../src/record/recordType.js';
import { decodeAlert } from '../src/record/alertMessage.js';
import { fixture, hex, providers, toHex } from './crypto-helpers.js';

interface Vectors {
  named: Record<string, string>;
  records: {
    description: string;
    sender: string;
    payload: string;
    complete_record: string;
    protected_with?: string;
    sequence_number?: number;
    inner_content_type?: number;
  }[];
}
const v = fixture<Vectors>('vectors-rfc8448-simple.json');
const n = (k: string): Uint8Array => {
  const s = v.named[k];
  if (s === undefined) throw new Error(`missing vector ${k}`);
  return hex(s);
};
const S = TLS_AES_128_GCM_SHA256;

for (const provider of providers) {
  const s = suite(`rfc8448 §3 (${provider.name})`);

  /** Runs the whole schedule from the trace's messages. */
  function schedule() {
    const ks = new KeySchedule(provider, S.hash);
    const t = new Transcript(provider);
    t.update(n('client_hello'));
    t.update(n('server_hello'));
    t.setHash(S.hash); // lazily chosen once the ServerHello names the suite
    const early = ks.early();
    const hs = ks.handshake(n('ecdhe_shared_secret'));
    const thSh = t.digest();
    const chts = ks.clientHandshakeTrafficSecret(thSh);
    const shts = ks.serverHandshakeTrafficSecret(thSh);
    t.update(n('encrypted_extensions'));
    t.update(n('certificate'));
    t.update(n('certificate_verify'));
    const thCv = t.digest();
    t.update(n('server_finished'));
    const thSf = t.digest();
    const ms = ks.master();
    const cats = ks.clientApplicationTrafficSecret(thSf);
    const sats = ks.serverApplicationTrafficSecret(thSf);
    const ems = ks.exporterMasterSecret(thSf);
    const thBeforeCf = t.digest();
    t.update(n('client_finished'));
    const thCf = t.digest();
    const rms = ks.resumptionMasterSecret(thCf);
    return { ks, early, hs, thSh, chts, shts, thCv, thSf, ms, cats, sats, ems, thBeforeCf, thCf, rms };
  }

  s('early, handshake, master secrets and the "derived" steps', () => {
    const r = schedule();
    assert.is(toHex(r.early), v.named.early_secret);
    assert.is(toHex(r.hs), v.named.handshake_secret);
    assert.is(toHex(r.ms), v.named.master_secret);
    const e = emptyHash(provider, 'sha256');
    assert.is(toHex(deriveSecret(provider, 'sha256', r.early, 'derived', e)), v.named.derived_for_handshake);
    assert.is(toHex(deriveSecret(provider, 'sha256', r.hs, 'derived', e)), v.named.derived_for_master);
    assert.is(r.ks.stage, 'master');
  });

  s('transcript hashes', () => {
    const r = schedule();
    assert.is(toHex(r.thSh), v.named.transcript_hash_ch_sh);
    assert.is(toHex(r.thSf), v.named.transcript_hash_ch_server_finished);
    assert.is(toHex(r.thCf), v.named.transcript_hash_ch_client_finished);
  });

  s('traffic secrets, exporter and resumption master, resumption PSK', () => {
    const r = schedule();
    assert.is(toHex(r.chts), v.named.client_handshake_traffic_secret);
    assert.is(toHex(r.shts), v.named.server_handshake_traffic_secret);
    assert.is(toHex(r.cats), v.named.client_application_traffic_secret_0);
    assert.is(toHex(r.sats), v.named.server_application_traffic_secret_0);
    assert.is(toHex(r.ems), v.named.exporter_master_secret);
    assert.is(toHex(r.rms), v.named.resumption_master_secret);
    assert.is(toHex(resumptionPsk(provider, 'sha256', r.rms, Uint8Array.of(0, 0))), v.named.resumption_psk_ticket_nonce_0000);
  });

  s('traffic keys and IVs', () => {
    const r = schedule();
    const pairs: [Uint8Array, string][] = [
      [r.shts, 'server_handshake'],
      [r.chts, 'client_handshake'],
      [r.sats, 'server_application'],
      [r.cats, 'client_application'],
    ];
    for (const [secret, name] of pairs) {
      const k = trafficKeys(provider, S, secret);
      assert.is(toHex(k.key), v.named[`${name}_key`], name);
      assert.is(toHex(k.iv), v.named[`${name}_iv`], name);
    }
  });

  s('finished keys and verify_data (constant-time check too)', () => {
    const r = schedule();
    assert.is(toHex(finishedKey(provider, 'sha256', r.shts)), v.named.server_finished_key);
    assert.is(toHex(finishedKey(provider, 'sha256', r.chts)), v.named.client_finished_key);
    const sv = finishedVerifyData(provider, 'sha256', r.shts, r.thCv);
    const cv = finishedVerifyData(provider, 'sha256', r.chts, r.thBeforeCf);
    assert.is(toHex(sv), v.named.server_finished_verify_data);
    assert.is(toHex(cv), v.named.client_finished_verify_data);
    // the Finished messages of the trace carry exactly these values
    assert.is(toHex(n('server_finished').subarray(4)), v.named.server_finished_verify_data);
    assert.ok(verifyFinished(provider, 'sha256', r.chts, r.thBeforeCf, n('client_finished').subarray(4)));
    const bad = n('client_finished').subarray(4);
    bad[0] ^= 1;
    assert.not.ok(verifyFinished(provider, 'sha256', r.chts, r.thBeforeCf, bad));
  });

  s('every protected record decrypts, and re-encrypts byte-identically', () => {
    const r = schedule();
    const secrets: Record<string, Uint8Array> = {
      'server_handshake_key/iv': r.shts,
      'client_handshake_key/iv': r.chts,
      'server_application_key/iv': r.sats,
      'client_application_key/iv': r.cats,
    };
    let count = 0;
    for (const rec of v.records) {
      if (rec.protected_with === undefined) continue;
      const secret = secrets[rec.protected_with];
      const bytes = hex(rec.complete_record);
      const opener = new RecordCipher(provider, S, secret);
      const sealer = new RecordCipher(provider, S, secret);
      for (let i = 0; i < rec.sequence_number!; i++) {
        sealer.seal(RecordType.application_data, new Uint8Array(1));
      }
      // advance the opener by sealing-and-opening its own records with a twin cipher
      const twin = new RecordCipher(provider, S, secret);
      for (let i = 0; i < rec.sequence_number!; i++) {
        const junk = twin.seal(RecordType.application_data, Uint8Array.of(i));
        opener.open(junk.subarray(0, 5), junk.subarray(5));
      }
      assert.is(opener.sequenceNumber, rec.sequence_number);
      const opened = opener.open(bytes.subarray(0, 5), bytes.subarray(5));
      assert.is(opened.type, rec.inner_content_type, rec.description);
      assert.is(toHex(opened.content), rec.payload, rec.description);
      assert.is(toHex(sealer.seal(opened.type, opened.content)), rec.complete_record, rec.description);
      count++;
    }
    assert.is(count, 7);
  });

  s('the server flight through a RecordLayer, then the client side in one pass', () => {
    const r = schedule();
    const recs = v.records;
    // client view: receives ServerHello (plaintext), installs handshake keys, reads the encrypted flight, ...
    const client = new RecordLayer({ provider });
    client.allowChangeCipherSpec(true);
    const all = [recs[1], recs[2], recs[4], recs[6], recs[8]].map((x) => hex(x.complete_record));
    const joined = new Uint8Array(all.reduce((a, b) => a + b.length, 0) + 6);
    let o = 0;
    joined.set(all[0], o);
    o += all[0].length;
    joined.set(Uint8Array.of(20, 3, 3, 0, 1, 1), o); // middlebox-compat CCS, dropped
    o += 6;
    for (const b of all.slice(1)) {
      joined.set(b, o);
      o += b.length;
    }
    for (let i = 0; i < joined.length; i += 7) client.receive(joined.subarray(i, i + 7));
    const sh = client.read()!;
    assert.is(sh.type, RecordType.handshake);
    assert.not.ok(sh.protected);
    assert.is(toHex(sh.data), v.named.server_hello);
    client.setReadKey(S, r.shts);
    const flight = client.read()!;
    assert.ok(flight.protected);
    assert.is(toHex(flight.data), recs[2].payload);
    client.allowChangeCipherSpec(false);
    client.setReadKey(S, r.sats);
    assert.is(toHex(client.read()!.data), recs[4].payload);
    const app = client.read()!;
    assert.is(app.type, RecordType.application_data);
    assert.is(toHex(app.data), recs[6].payload);
    const alert = client.read()!;
    assert.is(alert.type, RecordType.alert);
    assert.equal(decodeAlert(alert.data), { level: 1, description: 0 });
    assert.is(client.read(), null);
    assert.is(client.buffered, 0);

    // client writes: plaintext ClientHello record equals the trace's (legacy version aside), then Finished
    const w = new RecordLayer({ provider });
    const ch = w.writeHandshake(n('client_hello'));
    assert.is(toHex(ch.subarray(5)), v.named.client_hello);
    w.setWriteKey(S, r.chts);
    assert.is(toHex(w.writeHandshake(n('client_finished'))), recs[3].complete_record);
    w.setWriteKey(S, r.cats);
    assert.is(toHex(w.writeApplicationData(hex(recs[5].payload))), recs[5].complete_record);
    assert.is(toHex(w.writeAlert(0)), recs[7].complete_record);
  });

  s.run();
}
