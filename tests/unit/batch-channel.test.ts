/** The bounded hand-over queue behind the single-pass write: order, back-pressure, end, failure, a consumer that leaves. */
import { BatchChannel } from '../../pipelines/runner/batch-channel.js';

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

test('items arrive in order and the end follows the queued items', async () => {
  const channel = new BatchChannel<number>(2);
  const produced = (async () => {
    for (let i = 0; i < 10; i++) await channel.push(i);
    channel.close();
  })();
  const seen: number[] = [];
  for await (const n of channel) seen.push(n);
  await produced;
  expect(seen).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
});

test('push waits while the queue is full, and goes on once the consumer takes an item', async () => {
  const channel = new BatchChannel<number>(2);
  await channel.push(1);
  let second = false;
  const pushing = channel.push(2).then(() => (second = true));
  await tick();
  expect(second).toBe(false);
  const it = channel[Symbol.asyncIterator]();
  expect(await it.next()).toEqual({ value: 1, done: false });
  await pushing;
  expect(second).toBe(true);
});

test('fail makes the next read throw and drops what was queued', async () => {
  const channel = new BatchChannel<number>(4);
  await channel.push(1);
  channel.fail(new Error('stop'));
  const it = channel[Symbol.asyncIterator]();
  await expect(it.next()).rejects.toThrow('stop');
  await expect(channel.push(2)).rejects.toThrow(/closed/);
});

test('a waiting consumer sees a failure at once', async () => {
  const channel = new BatchChannel<number>();
  const it = channel[Symbol.asyncIterator]();
  const reading = it.next();
  channel.fail(new Error('gone'));
  await expect(reading).rejects.toThrow('gone');
});

test('a consumer that stops early releases a blocked producer and later pushes are dropped', async () => {
  const channel = new BatchChannel<number>(1);
  const consumed: number[] = [];
  const consuming = (async () => {
    for await (const n of channel) {
      consumed.push(n);
      if (n === 2) break;
    }
  })();
  for (let i = 1; i <= 50; i++) await channel.push(i);
  await consuming;
  expect(channel.detached).toBe(true);
  expect(consumed).toEqual([1, 2]);
});

test('detach unblocks a producer waiting for room', async () => {
  const channel = new BatchChannel<number>(2);
  await channel.push(1);
  const pushing = channel.push(2);
  channel.detach();
  await expect(pushing).resolves.toBeUndefined();
});

test('capacity must be a positive integer and the channel is iterated once', () => {
  expect(() => new BatchChannel(0)).toThrow(/positive integer/);
  const channel = new BatchChannel<number>();
  channel[Symbol.asyncIterator]();
  expect(() => channel[Symbol.asyncIterator]()).toThrow(/once/);
});
