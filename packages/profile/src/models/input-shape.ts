import { checkInteger, invalidArgument } from '@cellshape/core';

/**
 * Validates an image input shape `[H, W, C]` of `fn` whose H and W are multiples of
 * `2^poolings` (each pooling halves them exactly, so a decoder can mirror the encoder).
 */
export function checkInputShape(
  fn: string,
  shape: unknown,
  poolings: number,
): [number, number, number] {
  const factor = 2 ** poolings;
  const expected = `[H, W, C] with H and W positive multiples of ${factor} (${poolings} 2× poolings)`;
  if (!Array.isArray(shape) || shape.length !== 3)
    throw invalidArgument(fn, 'options.inputShape', expected, shape);
  const [h, w, c] = shape.map((v, i) =>
    checkInteger(fn, `options.inputShape[${i}]`, v, { min: 1 }),
  );
  if ((h as number) % factor !== 0 || (w as number) % factor !== 0)
    throw invalidArgument(fn, 'options.inputShape', expected, shape);
  return [h as number, w as number, c as number];
}
