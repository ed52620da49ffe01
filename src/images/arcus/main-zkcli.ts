// Entry point of the zkcli image (see zkcli.ts).
import { runZkcli } from './zkcli.js';

process.exit(await runZkcli(process.argv.slice(2)));
