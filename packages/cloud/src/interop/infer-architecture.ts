import { IncompatibleError, invalidArgument } from '@cellshape/core';
import type { StateDict } from '@cellshape/engine';
import type { CloudAutoEncoderOptions } from '../model/index.js';

const FN = 'inferCloudAutoEncoderOptions';

/** Width of the encoders' codeword, i.e. the features without an embedding layer. */
const DGCNN_WIDTH = 512;
/** `encoder.mlp1.0.weight` of the FoldingNet encoder (Conv1d 12 → 64). */
const FOLDINGNET_MLP1 = [64, 12, 1];

/** What a state dict tells about a cellshape-cloud autoencoder. */
export type InferredCloudOptions = Required<
  Pick<CloudAutoEncoderOptions, 'encoderType' | 'decoderType' | 'numFeatures'>
>;

function shapeOf(state: StateDict, key: string): number[] | undefined {
  return state.get(key)?.shape;
}

function sameShape(a: readonly number[] | undefined, b: readonly number[]): boolean {
  return a !== undefined && a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Up to 8 keys of `keys`, for error messages. */
function sample(keys: string[]): string {
  return keys.length <= 8 ? keys.join(', ') : `${keys.slice(0, 8).join(', ')}, … (${keys.length})`;
}

/**
 * Infers the architecture of a cellshape-cloud `CloudAutoEncoder` from its state dict: the
 * encoder from `encoder.conv1.0.weight` (`[64, 6, 1, 1]` for DGCNN) or `encoder.mlp1.0.weight`
 * (`[64, 12, 1]` for FoldingNet), the number of features F
 * from `encoder.embedding.weight` (`[F, 512]`; absent means F = 512) and the decoder from
 * `decoder.folding1.*` (`'foldingnet'`) or `decoder.folding.folding1.*` (`'foldingnetbasic'`).
 * `k` and the decoder's source points are not in a state dict; the caller chooses them.
 *
 * @throws IncompatibleError when the keys are not those of a DGCNN/FoldingNet + FoldingNet autoencoder
 *   (e.g. a voxel model, or an IDEC checkpoint whose `autoencoder.` prefix was not removed),
 *   listing the keys that do not fit.
 */
export function inferCloudAutoEncoderOptions(state: StateDict): InferredCloudOptions {
  if (!(state instanceof Map) || state.size === 0)
    throw invalidArgument(FN, 'state', 'a non-empty state dict (Map)', state);
  const keys = [...state.keys()];
  const foreign = keys.filter((k) => !/^(encoder|decoder)\./.test(k));
  const conv1 = shapeOf(state, 'encoder.conv1.0.weight');
  const foldingnet = sameShape(shapeOf(state, 'encoder.mlp1.0.weight'), FOLDINGNET_MLP1);
  const encoderFits = foldingnet || sameShape(conv1, [64, 6, 1, 1]);
  if (foreign.length > 0 || !encoderFits) {
    const prefixed = keys.some((k) => k.startsWith('autoencoder.'));
    const why = [
      ...(encoderFits
        ? []
        : [
            conv1 === undefined
              ? "'encoder.conv1.0.weight' is missing (DGCNN), as is 'encoder.mlp1.0.weight' [64, 12, 1] (FoldingNet)"
              : `'encoder.conv1.0.weight' has shape [${conv1.join(', ')}], expected [64, 6, 1, 1]`,
          ]),
      ...(foreign.length > 0 ? [`keys outside encoder./decoder.: ${sample(foreign)}`] : []),
    ];
    throw new IncompatibleError(
      `${FN}: not a cellshape-cloud DGCNN or FoldingNet autoencoder state dict: ${why.join('; ')}${
        prefixed ? " (an IDEC checkpoint: use the prefix 'autoencoder.')" : ''
      }`,
      { fn: FN, arg: 'state' },
    );
  }
  const embedding = shapeOf(state, 'encoder.embedding.weight');
  let numFeatures = DGCNN_WIDTH;
  if (embedding !== undefined) {
    if (embedding.length !== 2 || embedding[1] !== DGCNN_WIDTH || !(embedding[0]! > 0)) {
      throw new IncompatibleError(
        `${FN}: 'encoder.embedding.weight' has shape [${embedding.join(', ')}], expected [F, 512]`,
        { fn: FN, arg: 'encoder.embedding.weight' },
      );
    }
    numFeatures = embedding[0]!;
  }
  const conv = keys.some((k) => k.startsWith('decoder.folding1.'));
  const basic = keys.some((k) => k.startsWith('decoder.folding.folding1.'));
  if (conv === basic) {
    const decoderKeys = keys.filter((k) => k.startsWith('decoder.'));
    throw new IncompatibleError(
      `${FN}: cannot tell the decoder: expected 'decoder.folding1.*' (foldingnet) or 'decoder.folding.folding1.*' (foldingnetbasic), found ${sample(decoderKeys) || 'no decoder keys'}`,
      { fn: FN, arg: 'state' },
    );
  }
  return {
    encoderType: foldingnet ? 'foldingnet' : 'dgcnn',
    decoderType: conv ? 'foldingnet' : 'foldingnetbasic',
    numFeatures,
  };
}
