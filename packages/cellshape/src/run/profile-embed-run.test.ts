import { describe, expect, it } from 'vitest';
import { joinImageMetadata } from './profile-embed-run.js';

const images = [
  { path: 'w/cell.1.tif', id: 'cell.1' },
  { path: 'w/cell.2.tif', id: 'cell.2' },
  { path: 'w/Plate1/a.tif', id: 'Plate1/a' },
  { path: 'w/Plate2/a.tif', id: 'Plate2/a' },
  { path: 'w/b.png', id: 'b' },
];

describe('joinImageMetadata', () => {
  it('joins ids with dots, relative paths and file names each to their own image', () => {
    const rows = [
      { id: 'cell.2', well: 'B' },
      { id: 'cell.1.tif', well: 'A' },
      { id: 'Plate2\\a', well: 'P2' },
      { id: ' Plate1/a.TIF ', well: 'P1' },
      { id: 'b', well: 'C' },
    ];
    const { metadata, warnings } = joinImageMetadata(images, rows, 'id');
    expect(metadata.map((m) => m.well)).toEqual(['A', 'B', 'P1', 'P2', 'C']);
    expect(warnings).toEqual([]);
  });

  it('joins the first of repeated rows and reports the rest, ambiguous names and unjoined images', () => {
    const rows = [
      { id: 'b', well: 'first' },
      { id: 'b.png', well: 'second' },
      { id: 'a', well: 'either' },
      { id: 'c', well: 'none' },
    ];
    const { metadata, warnings } = joinImageMetadata(images, rows, 'id');
    expect(metadata[4]).toEqual({ id: 'b', well: 'first' });
    expect(metadata.slice(0, 4)).toEqual([{}, {}, {}, {}]);
    expect(warnings.map((w) => [w.id, w.reason])).toEqual([
      ['b', 'a second metadata row for the same image'],
      ['a', 'metadata id matches 2 images by name; use the relative path as id'],
      ['c', 'no image for this metadata id'],
      ['cell.1', 'no metadata row'],
      ['cell.2', 'no metadata row'],
      ['Plate1/a', 'no metadata row'],
      ['Plate2/a', 'no metadata row'],
    ]);
  });
});
