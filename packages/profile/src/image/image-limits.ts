/** The size limits an image decoder applies, from the reader's options. */
export interface ImageLimits {
  /** The most pixels (pages × height × width) a file may declare. */
  maxPixels: number;
  /**
   * The option named when a conversion that expands decoded pixels passes 64 MiB + 1032 bytes
   * per byte of the file (core's `checkExpansion`), or `false` when the caller set `maxPixels`
   * and so bounds the image instead.
   */
  expansionBound: string | false;
}
