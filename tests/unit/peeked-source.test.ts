/** PeekedSource: reading ahead to learn an input's size, then reading it whole or releasing it. */
import { bytesSource } from '../../validation/csv/index.js';
import { PeekedSource } from '../../validation/csv/peeked-source.js';

describe('PeekedSource', () => {
  it('reads ahead at least the bytes asked for, then replays the whole source', async () => {
    const peeked = await PeekedSource.peek(bytesSource('abcdefghij', 3), 4);
    expect(peeked.ended).toBe(false);
    const chunks: string[] = [];
    for await (const c of peeked) chunks.push(Buffer.from(c).toString());
    expect(chunks).toEqual(['abc', 'def', 'ghi', 'j']);
  });

  it('says when the source ended within the bytes asked for', async () => {
    expect((await PeekedSource.peek(bytesSource('abc', 2), 10)).ended).toBe(true);
  });

  it('releases the source on release, read or not', async () => {
    let released = false;
    const source = (async function* () {
      try {
        yield new Uint8Array(1);
        yield new Uint8Array(1);
      } finally {
        released = true;
      }
    })();
    const peeked = await PeekedSource.peek(source, 1);
    await peeked.release();
    expect(released).toBe(true);
  });
});
