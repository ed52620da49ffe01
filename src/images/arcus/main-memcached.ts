// Entry point of the arcus-memcached image (see memcached.ts).
import { runArcusMemcached } from './memcached.js';

const EX_USAGE = 64;
try {
  process.exit(await runArcusMemcached(process.argv.slice(2), process.env.ARCUS_MEMCACHED_VERSION));
} catch (e) {
  process.stderr.write(`arcus-memcached: ${(e as Error).message}\n`);
  process.exit(EX_USAGE);
}
