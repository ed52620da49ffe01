#!/usr/bin/env node
// Entry point of the `k8ts` command: runs the compiled CLI from dist/.
import { existsSync } from 'node:fs';

const entry = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('k8ts: error: k8ts is not built; run npm run build\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
