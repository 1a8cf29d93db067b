/** Where the interop harness's pinned Python venv lives (the jest global setup creates it). */
import { join } from 'node:path';

/** Folder of the interop harness. */
export const INTEROP_DIR = join(process.cwd(), 'tests', 'interop');
/** The venv folder. */
export const VENV_DIR = join(INTEROP_DIR, '.venv');
/** The venv's Python interpreter. */
export const PYTHON = join(VENV_DIR, 'bin', 'python');
