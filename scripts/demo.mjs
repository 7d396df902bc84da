// `npm run demo`: pinsight check on the seed example, offline, from the bundled registry snapshot.
// The example has a conflict on purpose, so exit status 1 is the expected outcome here.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = ['dist/cli.js', 'check', '--isolated', '--registry-snapshot', 'examples/registry-snapshot.json.gz', '--python-version', '3.11', '--platform', 'linux', '--explain', ...(process.argv.length > 2 ? process.argv.slice(2) : ['examples/seed'])];
console.log(`$ node ${args.join(' ')}\n`);
const run = spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' });
if (run.status === 1) console.log('\nExit status 1: the example has a conflict, which is what the demo shows.');
process.exitCode = run.status === 0 || run.status === 1 ? 0 : (run.status ?? 1);
