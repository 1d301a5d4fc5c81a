import { readFileSync } from 'node:fs';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import {
  H3Session,
  decodeFieldSection,
  encodeFieldSection,
  encodeFrame,
  type HeaderField,
  type HuffmanMode,
} from '../interop/h3/index.js';

interface Fixture {
  ours: Array<{ fields: Array<[string, string]>; huffman: HuffmanMode; hex: string; quicGoDecoded: Array<[string, string]> | null; quicGoError: string }>;
  quicGo: Array<{ fields: Array<[string, string]>; hex: string }>;
}
const fixture = JSON.parse(
  readFileSync(new URL('../interop/h3/fixtures/quicgo-qpack.json', import.meta.url), 'utf8'),
) as Fixture;
const toFields = (pairs: Array<[string, string]>): HeaderField[] => pairs.map(([name, value]) => ({ name, value }));

const s = suite('interop-h3 QPACK cross-check with quic-go');

s('quic-go decoded every section we encoded (recorded), and our encoder still emits those bytes', () => {
  assert.ok(fixture.ours.length >= 15);
  for (const o of fixture.ours) {
    assert.is(o.quicGoError, '');
    assert.equal(o.quicGoDecoded, o.fields);
    const now = Buffer.from(encodeFieldSection(toFields(o.fields), { huffman: o.huffman })).toString('hex');
    assert.is(now, o.hex, `${o.huffman}: encoder output changed; rerun interop/h3/tools/genQuicGoFixture.ts`);
  }
});

s('we decode what quic-go encoded (always Huffman)', () => {
  for (const q of fixture.quicGo) {
    assert.equal(decodeFieldSection(Uint8Array.from(Buffer.from(q.hex, 'hex'))), toFields(q.fields));
  }
});

s('a quic-go-encoded response drives the client session', () => {
  const client = new H3Session({ role: 'client' });
  client.start();
  const id = client.sendRequest(toFields(fixture.quicGo[0].fields), true);
  const resp = fixture.quicGo.find((q) => q.fields[0][0] === ':status')!;
  client.receive(id, encodeFrame(1, Uint8Array.from(Buffer.from(resp.hex, 'hex'))), true);
  const ev = client.pollEvents();
  assert.equal(ev.map((e) => e.type), ['response', 'end']);
  assert.equal((ev[0] as { headers: HeaderField[] }).headers, toFields(resp.fields));
});

s.run();
