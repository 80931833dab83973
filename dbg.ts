import { readFileSync } from 'node:fs';
import { readVolume } from './packages/helper/src/index.js';
import { parsePointCloud } from './packages/helper/src/index.js';
import { readImage2D } from './packages/profile/src/index.js';
for (const f of ['u8-stack','u16-bigtiff','u8-imagej','f64-rowsperstrip1','u32-contiguous','i8','u8-ome','u16-tiled-zlib-bigendian']) {
  try { const v = readVolume(new Uint8Array(readFileSync(`packages/fuzz/corpus/tiff/${f}.tif`)), { format: 'tiff' }); let s = 0; for (const x of v.data as any) s += Number(x); console.log(f, 'ok', v.shape, v.data.constructor.name, s); } catch (e) { console.log(f, String(e).slice(0, 300)); }
}
try { parsePointCloud(new Uint8Array(readFileSync('packages/fuzz/corpus/npy/i8-v2.npy')), 'npy'); } catch (e) { console.log(String(e).slice(0, 300)); }
const im = await readImage2D(new Uint8Array(readFileSync('packages/fuzz/corpus/image/one-bit.png'))); let s = 0; for (const x of im.data as any) s += x; console.log(im.shape, s, im.data.constructor.name);
