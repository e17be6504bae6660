#!/usr/bin/env node
// The CLI ships as one bundle (dist/hwy.js): loading hundreds of modules would triple start-up time.
import { main } from '../dist/hwy.js';
process.stdout.on('error', (e) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
await main(process.argv.slice(2));
