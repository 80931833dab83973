import { selectBackend } from './packages/engine/src/index.ts';
import { siameseSeparation } from './packages/profile/src/synthetic/test-separation.ts';
await selectBackend();
const cfg = JSON.parse(process.argv[2]!);
const t = performance.now();
const r = await siameseSeparation({ families: ['round', 'elongated', 'protrusive', 'lobed'], seed: 1, ...cfg });
console.log(JSON.stringify(cfg), r.before, r.after, r.losses.map((l) => l.toFixed(1)).join(' '), ((performance.now() - t) / 1000).toFixed(0), 's');
