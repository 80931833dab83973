export { MASK_MEASURES, type MaskMeasure, maskMeasures } from './mask-measures.js';
