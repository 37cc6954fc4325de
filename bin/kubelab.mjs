#!/usr/bin/env node
// Runs the TypeScript CLI through tsx's loader, so `kubelab` needs no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../main/cli/index.ts');
const code = await main(process.argv.slice(2));
// Let stdout drain, then exit even if a stray handle (a socket, a timer) is still open.
process.stdout.write('', () => process.exit(code));
