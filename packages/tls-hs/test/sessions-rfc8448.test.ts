/**
 * RFC 8448 §4 "Resumed 0-RTT Handshake" reproduced with the sessions code paths (both providers): the resumption PSK
 * gives the trace's early secret; our binder over the truncated ClientHello is the trace's ("res binder"); the
 * client early traffic secret, early exporter and 0-RTT record keys decrypt the trace's early record; the PSK key
 * schedule (PSK early secret + ECDHE) gives the trace's handshake, master, application, exporter and resumption
 * secrets over the trace's messages, and the EndOfEarlyData record is the trace's byte for byte.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KeySchedule } from '../src/keyschedule/keySchedule.js';
import { Transcript } from '../src/keyschedule/transcript.js';
import { pskBinder, verifyPskBinder } from '../src/keyschedule/binder.js';
import { finishedVerifyData } from '../src/keyschedule/finishedKey.js';
import { trafficKeys } from '../src/keyschedule/trafficKeys.js';
import { TLS_AES_128_GCM_SHA256 } from '../src/keyschedule/cipherSuite.js';
import { RecordCipher } from '../src/record/recordCipher.js';
import { truncatedClientHelloLength } from '../src/wire/extensions/preSharedKey.js';
import { fixture, hex, providers, toHex } from './crypto-helpers.js';

const v = fixture<Record<string, string>>('rfc8448-resumption-0rtt.json');
const n = (k: string): Uint8Array => hex(v[k]);

for (const provider of providers) {
  const s = suite(`sessions: RFC 8448 §4 resumed 0-RTT (${provider.name})`);

  s('binder: early secret from the PSK, "res binder" key, finished key and binder value', () => {
    const ks = new KeySchedule(provider, 'sha256');
    assert.is(toHex(ks.early(n('resumption_psk'))), v.early_secret);
    assert.is(toHex(ks.binderKey('resumption')), v.binder_key);
    const ch = n('client_hello');
    const prefix = ch.subarray(0, truncatedClientHelloLength(ch));
    assert.is(toHex(provider.hash('sha256', prefix)), v.binder_hash);
    const binder = pskBinder(provider, 'sha256', n('resumption_psk'), 'resumption', n('binder_hash'));
    assert.is(toHex(binder), v.binder);
    assert.ok(verifyPskBinder(provider, 'sha256', n('resumption_psk'), 'resumption', n('binder_hash'), n('binder')));
    assert.not.ok(verifyPskBinder(provider, 'sha256', n('resumption_psk'), 'external', n('binder_hash'), n('binder')));
    assert.is(toHex(ch.subarray(ch.length - 32)), v.binder);
  });

  s('early secrets and the 0-RTT record', () => {
    const ks = new KeySchedule(provider, 'sha256');
    ks.early(n('resumption_psk'));
    const th = provider.hash('sha256', n('client_hello'));
    assert.is(toHex(th), v.client_hello_hash);
    const cets = ks.clientEarlyTrafficSecret(th);
    assert.is(toHex(cets), v.client_early_traffic_secret);
    assert.is(toHex(ks.earlyExporterMasterSecret(th)), v.early_exporter_master_secret);
    const keys = trafficKeys(provider, TLS_AES_128_GCM_SHA256, cets);
    assert.is(toHex(keys.key), v.early_key);
    assert.is(toHex(keys.iv), v.early_iv);
    const sealer = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, cets);
    assert.is(toHex(sealer.seal(23, n('early_data_plaintext'))), v.early_data_record);
    // EndOfEarlyData is the second record under the early key
    assert.is(toHex(sealer.seal(22, n('end_of_early_data'))), v.end_of_early_data_record);
    const rec = n('early_data_record');
    const opened = new RecordCipher(provider, TLS_AES_128_GCM_SHA256, cets).open(rec.subarray(0, 5), rec.subarray(5));
    assert.is(toHex(opened.content), v.early_data_plaintext);
  });

  s('PSK + ECDHE key schedule over the trace messages, EndOfEarlyData in the transcript', () => {
    const ks = new KeySchedule(provider, 'sha256');
    ks.early(n('resumption_psk'));
    const t = new Transcript(provider, 'sha256');
    t.update(n('client_hello'));
    t.update(n('server_hello'));
    assert.is(toHex(ks.handshake(n('ecdhe_shared_secret'))), v.handshake_secret);
    const hh = t.digest();
    const chts = ks.clientHandshakeTrafficSecret(hh);
    const shts = ks.serverHandshakeTrafficSecret(hh);
    assert.is(toHex(chts), v.client_handshake_traffic_secret);
    assert.is(toHex(shts), v.server_handshake_traffic_secret);
    t.update(n('encrypted_extensions'));
    // no Certificate / CertificateVerify in a PSK handshake: Finished follows EncryptedExtensions
    assert.is(toHex(finishedVerifyData(provider, 'sha256', shts, t.digest())), v.server_finished.slice(8));
    t.update(n('server_finished'));
    assert.is(toHex(ks.master()), v.master_secret);
    const fh = t.digest();
    assert.is(toHex(ks.clientApplicationTrafficSecret(fh)), v.client_application_traffic_secret);
    assert.is(toHex(ks.serverApplicationTrafficSecret(fh)), v.server_application_traffic_secret);
    assert.is(toHex(ks.exporterMasterSecret(fh)), v.exporter_master_secret);
    t.update(n('end_of_early_data'));
    assert.is(toHex(finishedVerifyData(provider, 'sha256', chts, t.digest())), v.client_finished.slice(8));
    t.update(n('client_finished'));
    assert.is(toHex(ks.resumptionMasterSecret(t.digest())), v.resumption_master_secret);
  });

  s.run();
}
