/** Landing into bronze is exactly-once across crashes: a claimed but unfinished landing is finished by the next run at the same key. */
import { describe, expect, test } from '@jest/globals';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../../etl/storage/open-store.js';
import { landFiles, sourceFiles } from '../../pipelines/staged/land-files.js';
import { tempDir } from '../support/stores.js';

const bronzeFiles = (warehouse: string) =>
  readdirSync(join(warehouse, 'bronze/p'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.csv'))
    .sort();

describe('landFiles', () => {
  function setup() {
    const dir = tempDir('land-');
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'src', 'a.csv'), 'x\n1\n');
    writeFileSync(join(dir, 'src', 'b.csv'), 'x\n2\n');
    return { src: join(dir, 'src'), warehouse: join(dir, 'wh') };
  }
  const day1 = new Date('2026-04-01T10:00:00Z');
  const day2 = new Date('2026-04-02T10:00:00Z');

  test('each source file version lands once; a changed file lands again as a new version', async () => {
    const { src, warehouse } = setup();
    const store = openStore(warehouse);
    expect(await landFiles(await sourceFiles(src), store, 'p', 'd', day1)).toEqual({ landed: ['d/ingest_date=2026-04-01/20260401T100000Z-a.csv', 'd/ingest_date=2026-04-01/20260401T100000Z-b.csv'], seen: 0 });
    expect(await landFiles(await sourceFiles(src), store, 'p', 'd', day2)).toEqual({ landed: [], seen: 2 });
    writeFileSync(join(src, 'b.csv'), 'x\n2\n3\n');
    expect(await landFiles(await sourceFiles(src), store, 'p', 'd', day2)).toEqual({ landed: ['d/ingest_date=2026-04-02/20260402T100000Z-b.csv'], seen: 1 });
    expect(bronzeFiles(warehouse)).toHaveLength(3);
  });

  test('a crash after the claim (before or after the copy) is finished by the next run at the claimed key, with one copy', async () => {
    const { src, warehouse } = setup();
    const store = openStore(warehouse);
    await landFiles(await sourceFiles(src), store, 'p', 'd', day1);
    // Turn both markers back into unfinished claims: a's copy never happened, b's copy happened.
    const markers = readdirSync(join(warehouse, '_lakehouse/landing/p')).map((m) => join(warehouse, '_lakehouse/landing/p', m));
    for (const path of markers) {
      const marker = JSON.parse(readFileSync(path, 'utf8')) as { landed: string; state: string };
      expect(marker.state).toBe('landed');
      writeFileSync(path, JSON.stringify({ ...marker, state: 'landing' }));
      if (marker.landed.endsWith('-a.csv')) await store.delete(`bronze/p/${marker.landed}`);
    }
    const resumed = await landFiles(await sourceFiles(src), store, 'p', 'd', day2);
    expect(resumed.landed).toEqual(['d/ingest_date=2026-04-01/20260401T100000Z-a.csv', 'd/ingest_date=2026-04-01/20260401T100000Z-b.csv']);
    expect(bronzeFiles(warehouse)).toEqual(['d/ingest_date=2026-04-01/20260401T100000Z-a.csv', 'd/ingest_date=2026-04-01/20260401T100000Z-b.csv']);
    expect(readFileSync(join(warehouse, 'bronze/p/d/ingest_date=2026-04-01/20260401T100000Z-a.csv'), 'utf8')).toBe('x\n1\n');
    expect(await landFiles(await sourceFiles(src), store, 'p', 'd', day2)).toEqual({ landed: [], seen: 2 });
  });
});
