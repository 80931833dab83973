/**
 * @cellshape/voxel — 3D convolutional and 3D ResNet autoencoders on voxel grids.
 *
 * @packageDocumentation
 */
export const VOXEL_PACKAGE = '@cellshape/voxel';
