/** Whether the CSV decode thread can start: not where its module is missing (a bundle that does not ship `decode-worker.js`). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { decodeWorkerAvailable } from '../../validation/decode-worker-pool.js';
import { tempDir } from '../support/stores.js';

test('compiled code needs decode-worker.js next to it; TypeScript sources always have the worker', () => {
  const dir = tempDir();
  const bundle = pathToFileURL(join(dir, 'index.mjs')).href;
  expect(decodeWorkerAvailable(bundle)).toBe(false);
  writeFileSync(join(dir, 'decode-worker.js'), '');
  expect(decodeWorkerAvailable(bundle)).toBe(true);
  expect(decodeWorkerAvailable(pathToFileURL(join(dir, 'decode-worker-pool.ts')).href)).toBe(true);
});
