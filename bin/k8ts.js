#!/usr/bin/env node
// Entry point of the `k8ts` command: runs the bundled CLI (dist/bundle/k8ts.mjs), or the compiled modules.
import { existsSync } from 'node:fs';

const bundle = new URL('../dist/bundle/k8ts.mjs', import.meta.url);
const modules = new URL('../dist/cli/main.js', import.meta.url);
const entry = existsSync(bundle) ? bundle : modules;
if (!existsSync(entry)) {
  process.stderr.write('k8ts: error: k8ts is not built; run npm run build\n');
  process.exit(1);
}
const { main } = await import(entry.href);
await main(process.argv.slice(2));
