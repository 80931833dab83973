// The two-level column sums are a kernel (kernels/column-sum.ts); nn's layers use them here.
export { columnSum } from '../kernels/column-sum.js';
