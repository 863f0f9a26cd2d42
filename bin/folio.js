#!/usr/bin/env node
/* global process */
// The `folio` command: TypeScript sources run through tsx, so a checkout needs no compile step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/index.ts');
process.exitCode = await main(process.argv.slice(2));
