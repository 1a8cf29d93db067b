#!/usr/bin/env node
/** The `lakehouse` executable. */
import { main } from './program.js';

process.exitCode = await main(process.argv);
