import { CropDataset, type Image2D } from '@cellshape/profile';
import { thumbnailDataUrl } from '../report/profile-thumbnail.js';
import { DatasetView } from './dataset-view.js';
import type { CropFolder } from './profile-crop-set.js';

/** A crop folder as the run layer sees it: the profile package's `CropDataset` plus what was skipped. */
export class ProfileRunDataset extends DatasetView<CropDataset> {
  constructor(private readonly folder: CropFolder) {
    super(new CropDataset(folder.crops), () => folder.skipped);
  }
  /** Whether every crop has a mask crop (PBR / FBR views need them). */
  get hasMasks(): boolean {
    return this.folder.crops.masks !== undefined;
  }
  /** The mask crop of crop `i` (`H × W`, non-zero inside the cell), or undefined without masks. */
  mask(i: number): { data: Uint8Array; height: number; width: number } | undefined {
    const { masks, shape } = this.folder.crops;
    if (masks === undefined) return undefined;
    const [, height, width] = shape;
    return { data: masks.subarray(i * height * width, (i + 1) * height * width), height, width };
  }
  /** Crop `i` as the model sees it (normalised), `[H, W, C]`. */
  image(i: number): Image2D<Float32Array> {
    const [, h, w, c] = this.folder.crops.shape;
    const size = h * w * c;
    return { data: this.folder.crops.data.subarray(i * size, (i + 1) * size), shape: [h, w, c] };
  }
}

/** The report picture of crop `index`: a small PNG of its first channel. */
export function cropThumbnail(dataset: ProfileRunDataset, index: number): Promise<string> {
  return Promise.resolve(thumbnailDataUrl(dataset.image(index), { size: 96 }));
}
