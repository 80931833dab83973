import { defineConfig } from 'tsup';
import { tsupBase } from '../../tsup.base.js';

export default defineConfig({ ...tsupBase, entry: ['src/index.ts'] });
