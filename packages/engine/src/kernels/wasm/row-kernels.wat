;; The hot row loops of the kNN selection and the EdgeConv gather, in WebAssembly SIMD, over a
;; shared memory that the main thread and the kernel worker thread both run on (each on its own
;; rows). Pointers are byte offsets into that memory; float32 and int32 arrays are row-major.
;; `@cellshape/engine` compiles this file with wabt (`pnpm --filter @cellshape/engine
;; build:wasm`) into row-kernels-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Inserts candidate $j (score $s) into the best-first list of row $out (scores in $top, k of
  ;; them, $filled used); ties keep the earlier (lower-index) candidate. Returns the new $filled.
  (func $insert (param $s f32) (param $j i32) (param $top i32) (param $out i32) (param $k i32)
    (param $filled i32) (result i32)
    (local $p i32)
    (if (i32.lt_s (local.get $filled) (local.get $k))
      (then
        (local.set $p (local.get $filled))
        (local.set $filled (i32.add (local.get $filled) (i32.const 1))))
      (else (local.set $p (i32.sub (local.get $k) (i32.const 1)))))
    (block $placed
      (loop $shift
        (br_if $placed (i32.le_s (local.get $p) (i32.const 0)))
        (br_if $placed
          (i32.eqz (f32.lt
            (f32.load (i32.add (local.get $top) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2))))
            (local.get $s))))
        (f32.store (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 2)))
          (f32.load (i32.add (local.get $top) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 2)))
          (i32.load (i32.add (local.get $out) (i32.shl (i32.sub (local.get $p) (i32.const 1)) (i32.const 2)))))
        (local.set $p (i32.sub (local.get $p) (i32.const 1)))
        (br $shift)))
    (f32.store (i32.add (local.get $top) (i32.shl (local.get $p) (i32.const 2))) (local.get $s))
    (i32.store (i32.add (local.get $out) (i32.shl (local.get $p) (i32.const 2))) (local.get $j))
    (local.get $filled))

  ;; The k best neighbours of one row from its n Gram entries at $row and the squared norms at
  ;; $sq ($sqi the row's own): score s_j = (2·g_j − sq_j) − sq_i in float32 (each step rounded,
  ;; as the reference), best first, ties to the lower index; four candidates per step, the k-th
  ;; best gating them. Indices go to $outRow; $top is k floats of scratch.
  (func $selectRow (param $row i32) (param $sq i32) (param $n i32) (param $k i32) (param $sqi f32)
    (param $outRow i32) (param $top i32)
    (local $j i32) (local $l i32) (local $filled i32) (local $n4 i32) (local $kth f32) (local $s f32)
    (local $g v128) (local $sv v128) (local $sqiv v128) (local $kthv v128)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $sqiv (f32x4.splat (local.get $sqi)))
    (local.set $filled (i32.const 0))
    (local.set $kth (f32.neg (f32.const inf)))
    (local.set $kthv (f32x4.splat (local.get $kth)))
    (local.set $j (i32.const 0))
    (block $vecDone
      (loop $vec
        (br_if $vecDone (i32.ge_s (local.get $j) (local.get $n4)))
        (local.set $g (v128.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
        (local.set $sv
          (f32x4.sub
            (f32x4.sub (f32x4.add (local.get $g) (local.get $g))
              (v128.load (i32.add (local.get $sq) (i32.shl (local.get $j) (i32.const 2)))))
            (local.get $sqiv)))
        (if (v128.any_true (f32x4.gt (local.get $sv) (local.get $kthv)))
          (then
            ;; Lanes in order, each against the k-th best as it stands.
            (local.set $l (i32.const 0))
            (block $lanesDone
              (loop $lanes
                (br_if $lanesDone (i32.ge_s (local.get $l) (i32.const 4)))
                (local.set $s
                  (f32.sub
                    (f32.sub
                      (f32.add
                        (f32.load (i32.add (local.get $row) (i32.shl (i32.add (local.get $j) (local.get $l)) (i32.const 2))))
                        (f32.load (i32.add (local.get $row) (i32.shl (i32.add (local.get $j) (local.get $l)) (i32.const 2)))))
                      (f32.load (i32.add (local.get $sq) (i32.shl (i32.add (local.get $j) (local.get $l)) (i32.const 2)))))
                    (local.get $sqi)))
                (if (f32.gt (local.get $s) (local.get $kth))
                  (then
                    (local.set $filled
                      (call $insert (local.get $s) (i32.add (local.get $j) (local.get $l))
                        (local.get $top) (local.get $outRow) (local.get $k) (local.get $filled)))
                    (if (i32.eq (local.get $filled) (local.get $k))
                      (then
                        (local.set $kth
                          (f32.load (i32.add (local.get $top) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))
                        (local.set $kthv (f32x4.splat (local.get $kth)))))))
                (local.set $l (i32.add (local.get $l) (i32.const 1)))
                (br $lanes)))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))
        (br $vec)))
    ;; The last n mod 4 candidates.
    (block $tailDone
      (loop $tail
        (br_if $tailDone (i32.ge_s (local.get $j) (local.get $n)))
        (local.set $s
          (f32.sub
            (f32.sub
              (f32.add
                (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2))))
                (f32.load (i32.add (local.get $row) (i32.shl (local.get $j) (i32.const 2)))))
              (f32.load (i32.add (local.get $sq) (i32.shl (local.get $j) (i32.const 2)))))
            (local.get $sqi)))
        (if (f32.gt (local.get $s) (local.get $kth))
          (then
            (local.set $filled
              (call $insert (local.get $s) (local.get $j) (local.get $top) (local.get $outRow)
                (local.get $k) (local.get $filled)))
            (if (i32.eq (local.get $filled) (local.get $k))
              (then
                (local.set $kth
                  (f32.load (i32.add (local.get $top) (i32.shl (i32.sub (local.get $k) (i32.const 1)) (i32.const 2)))))))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $tail))))

  ;; k best neighbours (as $selectRow) of rows [i0, i1) of one sample from its n×n Gram matrix
  ;; at $gram and its squared norms at $sq; indices to $out + 4·k·i; $top: k floats of scratch.
  (func (export "selectFromGram") (param $gram i32) (param $sq i32) (param $n i32) (param $k i32)
    (param $i0 i32) (param $i1 i32) (param $out i32) (param $top i32)
    (local $i i32)
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $i1)))
        (call $selectRow
          (i32.add (local.get $gram) (i32.shl (i32.mul (local.get $i) (local.get $n)) (i32.const 2)))
          (local.get $sq) (local.get $n) (local.get $k)
          (f32.load (i32.add (local.get $sq) (i32.shl (local.get $i) (i32.const 2))))
          (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2)))
          (local.get $top))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; k best neighbours (as $selectRow) of rows [r0, r1) of one sample of n points (n a multiple
  ;; of 8, h = n/2) from half of its symmetric Gram matrix: $p holds rows [0, h) (h × n) and $q
  ;; the lower-right block (h × h). Rows below h read their row of $p; the others, four at a
  ;; time (one per SIMD lane; r0 − h and r1 − h multiples of 4 there), read their entries as
  ;; columns: g_ij = p_ji for j < h, q_(j−h)(i−h) for j ≥ h (equal to the row entries bit for bit:
  ;; the same products summed in the same order). $top4: 4·k floats of scratch.
  (func (export "selectFromHalves") (param $p i32) (param $q i32) (param $sq i32) (param $n i32)
    (param $k i32) (param $r0 i32) (param $r1 i32) (param $out i32) (param $top4 i32)
    (local $r i32) (local $h i32) (local $j i32) (local $col i32) (local $s f32)
    (local $pStride i32) (local $qStride i32)
    (local $f0 i32) (local $f1 i32) (local $f2 i32) (local $f3 i32)
    (local $kth0 f32) (local $kth1 f32) (local $kth2 f32) (local $kth3 f32)
    (local $sv v128) (local $sqiv v128) (local $kthv v128)
    (local.set $h (i32.shr_u (local.get $n) (i32.const 1)))
    (local.set $pStride (i32.shl (local.get $n) (i32.const 2)))
    (local.set $qStride (i32.shl (local.get $h) (i32.const 2)))
    (local.set $r (local.get $r0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $r) (local.get $r1)))
        (if (i32.lt_s (local.get $r) (local.get $h))
          (then
            (call $selectRow
              (i32.add (local.get $p) (i32.shl (i32.mul (local.get $r) (local.get $n)) (i32.const 2)))
              (local.get $sq) (local.get $n) (local.get $k)
              (f32.load (i32.add (local.get $sq) (i32.shl (local.get $r) (i32.const 2))))
              (i32.add (local.get $out) (i32.shl (i32.mul (local.get $r) (local.get $k)) (i32.const 2)))
              (local.get $top4))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $rows)))
        ;; Rows r … r + 3, one per lane.
        (local.set $sqiv (v128.load (i32.add (local.get $sq) (i32.shl (local.get $r) (i32.const 2)))))
        (local.set $f0 (i32.const 0)) (local.set $f1 (i32.const 0))
        (local.set $f2 (i32.const 0)) (local.set $f3 (i32.const 0))
        (local.set $kth0 (f32.neg (f32.const inf))) (local.set $kth1 (f32.neg (f32.const inf)))
        (local.set $kth2 (f32.neg (f32.const inf))) (local.set $kth3 (f32.neg (f32.const inf)))
        (local.set $kthv (f32x4.splat (f32.neg (f32.const inf))))
        (local.set $j (i32.const 0))
        ;; Candidates j < h: column r of $p's rows; then j ≥ h: column r − h of $q's rows.
        (local.set $col (i32.add (local.get $p) (i32.shl (local.get $r) (i32.const 2))))
        (block $upperDone
          (loop $upper
            (br_if $upperDone (i32.ge_s (local.get $j) (local.get $h)))
            (local.set $sv (v128.load (local.get $col)))
            (local.set $sv
              (f32x4.sub
                (f32x4.sub (f32x4.add (local.get $sv) (local.get $sv))
                  (f32x4.splat (f32.load (i32.add (local.get $sq) (i32.shl (local.get $j) (i32.const 2))))))
                (local.get $sqiv)))
            (if (v128.any_true (f32x4.gt (local.get $sv) (local.get $kthv)))
              (then
            (local.set $s (f32x4.extract_lane 0 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth0))
              (then
                (local.set $f0
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 0) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f0)))
                (if (i32.eq (local.get $f0) (local.get $k))
                  (then
                    (local.set $kth0
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 0) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 0 (local.get $kthv) (local.get $kth0)))))))
            (local.set $s (f32x4.extract_lane 1 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth1))
              (then
                (local.set $f1
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 4) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f1)))
                (if (i32.eq (local.get $f1) (local.get $k))
                  (then
                    (local.set $kth1
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 1) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 1 (local.get $kthv) (local.get $kth1)))))))
            (local.set $s (f32x4.extract_lane 2 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth2))
              (then
                (local.set $f2
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 8) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f2)))
                (if (i32.eq (local.get $f2) (local.get $k))
                  (then
                    (local.set $kth2
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 2) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 2 (local.get $kthv) (local.get $kth2)))))))
            (local.set $s (f32x4.extract_lane 3 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth3))
              (then
                (local.set $f3
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 12) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f3)))
                (if (i32.eq (local.get $f3) (local.get $k))
                  (then
                    (local.set $kth3
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 3) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 3 (local.get $kthv) (local.get $kth3)))))))
              ))
            (local.set $col (i32.add (local.get $col) (local.get $pStride)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $upper)))
        (local.set $col (i32.add (local.get $q) (i32.shl (i32.sub (local.get $r) (local.get $h)) (i32.const 2))))
        (block $lowerDone
          (loop $lower
            (br_if $lowerDone (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $sv (v128.load (local.get $col)))
            (local.set $sv
              (f32x4.sub
                (f32x4.sub (f32x4.add (local.get $sv) (local.get $sv))
                  (f32x4.splat (f32.load (i32.add (local.get $sq) (i32.shl (local.get $j) (i32.const 2))))))
                (local.get $sqiv)))
            (if (v128.any_true (f32x4.gt (local.get $sv) (local.get $kthv)))
              (then
            (local.set $s (f32x4.extract_lane 0 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth0))
              (then
                (local.set $f0
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 0) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 0)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f0)))
                (if (i32.eq (local.get $f0) (local.get $k))
                  (then
                    (local.set $kth0
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 0) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 0 (local.get $kthv) (local.get $kth0)))))))
            (local.set $s (f32x4.extract_lane 1 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth1))
              (then
                (local.set $f1
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 4) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 1)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f1)))
                (if (i32.eq (local.get $f1) (local.get $k))
                  (then
                    (local.set $kth1
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 1) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 1 (local.get $kthv) (local.get $kth1)))))))
            (local.set $s (f32x4.extract_lane 2 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth2))
              (then
                (local.set $f2
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 8) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 2)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f2)))
                (if (i32.eq (local.get $f2) (local.get $k))
                  (then
                    (local.set $kth2
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 2) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 2 (local.get $kthv) (local.get $kth2)))))))
            (local.set $s (f32x4.extract_lane 3 (local.get $sv)))
            (if (f32.gt (local.get $s) (local.get $kth3))
              (then
                (local.set $f3
                  (call $insert (local.get $s) (local.get $j)
                    (i32.add (local.get $top4) (i32.mul (i32.const 12) (local.get $k)))
                    (i32.add (local.get $out) (i32.shl (i32.mul (i32.add (local.get $r) (i32.const 3)) (local.get $k)) (i32.const 2)))
                    (local.get $k) (local.get $f3)))
                (if (i32.eq (local.get $f3) (local.get $k))
                  (then
                    (local.set $kth3
                      (f32.load (i32.add (local.get $top4)
                        (i32.shl (i32.add (i32.mul (i32.const 3) (local.get $k)) (i32.sub (local.get $k) (i32.const 1))) (i32.const 2)))))
                    (local.set $kthv (f32x4.replace_lane 3 (local.get $kthv) (local.get $kth3)))))))
              ))
            (local.set $col (i32.add (local.get $col) (local.get $qStride)))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $lower)))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $rows))))

  ;; As selectFromGram for three coordinates per point, the Gram row computed here into $scratch
  ;; (n floats) as g_j = (x_i·x_j + y_i·y_j) + z_i·z_j, each step rounded to float32 (the order
  ;; of the matrix product's accumulation), from the coordinates as three arrays of n floats at
  ;; $xyz (all x, then all y, then all z).
  (func (export "selectFromCoordinates") (param $xyz i32) (param $sq i32) (param $n i32)
    (param $k i32) (param $i0 i32) (param $i1 i32) (param $out i32) (param $top i32)
    (param $scratch i32)
    (local $i i32) (local $j i32) (local $ys i32) (local $zs i32) (local $n4 i32) (local $at i32)
    (local $xi f32) (local $yi f32) (local $zi f32) (local $xv v128) (local $yv v128) (local $zv v128)
    (local.set $n4 (i32.and (local.get $n) (i32.const -4)))
    (local.set $ys (i32.add (local.get $xyz) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $zs (i32.add (local.get $ys) (i32.shl (local.get $n) (i32.const 2))))
    (local.set $i (local.get $i0))
    (block $rowsDone
      (loop $rows
        (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $i1)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $xi (f32.load (i32.add (local.get $xyz) (local.get $at))))
        (local.set $yi (f32.load (i32.add (local.get $ys) (local.get $at))))
        (local.set $zi (f32.load (i32.add (local.get $zs) (local.get $at))))
        (local.set $xv (f32x4.splat (local.get $xi)))
        (local.set $yv (f32x4.splat (local.get $yi)))
        (local.set $zv (f32x4.splat (local.get $zi)))
        (local.set $j (i32.const 0))
        (block $vecDone
          (loop $vec
            (br_if $vecDone (i32.ge_s (local.get $j) (local.get $n4)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (v128.store (i32.add (local.get $scratch) (local.get $at))
              (f32x4.add
                (f32x4.add
                  (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $xyz) (local.get $at))))
                  (f32x4.mul (local.get $yv) (v128.load (i32.add (local.get $ys) (local.get $at)))))
                (f32x4.mul (local.get $zv) (v128.load (i32.add (local.get $zs) (local.get $at))))))
            (local.set $j (i32.add (local.get $j) (i32.const 4)))
            (br $vec)))
        (block $tailDone
          (loop $tail
            (br_if $tailDone (i32.ge_s (local.get $j) (local.get $n)))
            (local.set $at (i32.shl (local.get $j) (i32.const 2)))
            (f32.store (i32.add (local.get $scratch) (local.get $at))
              (f32.add
                (f32.add
                  (f32.mul (local.get $xi) (f32.load (i32.add (local.get $xyz) (local.get $at))))
                  (f32.mul (local.get $yi) (f32.load (i32.add (local.get $ys) (local.get $at)))))
                (f32.mul (local.get $zi) (f32.load (i32.add (local.get $zs) (local.get $at))))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $tail)))
        (call $selectRow (local.get $scratch) (local.get $sq) (local.get $n) (local.get $k)
          (f32.load (i32.add (local.get $sq) (i32.shl (local.get $i) (i32.const 2))))
          (i32.add (local.get $out) (i32.shl (i32.mul (local.get $i) (local.get $k)) (i32.const 2)))
          (local.get $top))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $rows))))

  ;; EdgeConv gather over the points [p0, p1) of B·N: per channel o the max over the k
  ;; neighbours ($idx, k per point, indices within the point's sample of n) of sign_o · a_j, where
  ;; a_j is the row of co floats at $src + 4·j·stride and sign_o = ±1 ($sign, co floats; the
  ;; product is exact), into $best; with ($withArg) the winning neighbour into $arg (first one on
  ;; ties) and ($withSum) the plain sum of a_j into $sum. $best, $arg, $sum: co per point.
  (func (export "gatherRows") (param $src i32) (param $stride i32) (param $sign i32) (param $idx i32)
    (param $n i32) (param $co i32) (param $k i32) (param $p0 i32) (param $p1 i32) (param $best i32)
    (param $arg i32) (param $sum i32) (param $withArg i32) (param $withSum i32)
    (local $p i32) (local $q i32) (local $j i32) (local $o i32) (local $vecBytes i32) (local $rowB i32)
    (local $from i32) (local $dst i32) (local $base i32) (local $bytes i32) (local $strideB i32)
    (local $v v128) (local $s v128) (local $b v128) (local $m v128) (local $jv v128)
    (local $vf f32) (local $sf f32)
    (local.set $vecBytes (i32.shl (i32.and (local.get $co) (i32.const -4)) (i32.const 2)))
    (local.set $bytes (i32.shl (local.get $co) (i32.const 2)))
    (local.set $strideB (i32.shl (local.get $stride) (i32.const 2)))
    (local.set $p (local.get $p0))
    (block $pointsDone
      (loop $points
        (br_if $pointsDone (i32.ge_s (local.get $p) (local.get $p1)))
        (local.set $base (i32.sub (local.get $p) (i32.rem_s (local.get $p) (local.get $n))))
        (local.set $rowB (i32.mul (local.get $p) (local.get $bytes)))
        (local.set $q (i32.const 0))
        (block $nbrsDone
          (loop $nbrs
            (br_if $nbrsDone (i32.ge_s (local.get $q) (local.get $k)))
            (local.set $j (i32.load (i32.add (local.get $idx)
              (i32.shl (i32.add (i32.mul (local.get $p) (local.get $k)) (local.get $q)) (i32.const 2)))))
            (local.set $jv (i32x4.splat (local.get $j)))
            (local.set $from (i32.add (local.get $src) (i32.mul (i32.add (local.get $base) (local.get $j)) (local.get $strideB))))
            (local.set $o (i32.const 0))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_s (local.get $o) (local.get $vecBytes)))
                (local.set $v (v128.load (i32.add (local.get $from) (local.get $o))))
                (local.set $s (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $sign) (local.get $o)))))
                (local.set $dst (i32.add (local.get $rowB) (local.get $o)))
                (if (i32.eqz (local.get $q))
                  ;; Neighbour 0 initialises the row.
                  (then
                    (v128.store (i32.add (local.get $best) (local.get $dst)) (local.get $s))
                    (if (local.get $withArg)
                      (then (v128.store (i32.add (local.get $arg) (local.get $dst)) (local.get $jv))))
                    (if (local.get $withSum)
                      (then (v128.store (i32.add (local.get $sum) (local.get $dst)) (local.get $v)))))
                  (else
                    (local.set $b (v128.load (i32.add (local.get $best) (local.get $dst))))
                    (local.set $m (f32x4.gt (local.get $s) (local.get $b)))
                    (v128.store (i32.add (local.get $best) (local.get $dst))
                      (v128.bitselect (local.get $s) (local.get $b) (local.get $m)))
                    (if (local.get $withArg)
                      (then
                        (v128.store (i32.add (local.get $arg) (local.get $dst))
                          (v128.bitselect (local.get $jv)
                            (v128.load (i32.add (local.get $arg) (local.get $dst))) (local.get $m)))))
                    (if (local.get $withSum)
                      (then
                        (v128.store (i32.add (local.get $sum) (local.get $dst))
                          (f32x4.add (v128.load (i32.add (local.get $sum) (local.get $dst))) (local.get $v)))))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $vec)))
            ;; The last co mod 4 channels.
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_s (local.get $o) (local.get $bytes)))
                (local.set $vf (f32.load (i32.add (local.get $from) (local.get $o))))
                (local.set $sf (f32.mul (local.get $vf) (f32.load (i32.add (local.get $sign) (local.get $o)))))
                (local.set $dst (i32.add (local.get $rowB) (local.get $o)))
                (if (i32.or (i32.eqz (local.get $q))
                      (f32.gt (local.get $sf) (f32.load (i32.add (local.get $best) (local.get $dst)))))
                  (then
                    (f32.store (i32.add (local.get $best) (local.get $dst)) (local.get $sf))
                    (if (local.get $withArg)
                      (then (i32.store (i32.add (local.get $arg) (local.get $dst)) (local.get $j))))))
                (if (local.get $withSum)
                  (then
                    (f32.store (i32.add (local.get $sum) (local.get $dst))
                      (if (result f32) (i32.eqz (local.get $q))
                        (then (local.get $vf))
                        (else (f32.add (f32.load (i32.add (local.get $sum) (local.get $dst))) (local.get $vf)))))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $tail)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $nbrs)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $points))))

  ;; EdgeConv output of the points [p0, p1), two channels at a time in float64 arithmetic rounded
  ;; once to float32: z = sign·best + c (c: co floats at
  ;; $c + 4·p·stride), u = scale·(z − mean) + beta, out = u > 0 ? u : slope·u, rounded to
  ;; float32; z (float32) into $z when $withZ. $sign: co float32; $scale, $mean, $beta: co
  ;; float64 each; $best, $out, $z: co floats per point. Sets the int32 at $flag to 1 when an
  ;; output is a NaN or an infinity (it never clears it).
  (func (export "edgeActivate") (param $best i32) (param $c i32) (param $stride i32) (param $sign i32)
    (param $scale i32) (param $mean i32) (param $beta i32) (param $slope f64) (param $co i32)
    (param $p0 i32) (param $p1 i32) (param $out i32) (param $z i32) (param $withZ i32)
    (param $flag i32)
    (local $p i32) (local $o i32) (local $row i32) (local $from i32) (local $o8 i32)
    (local $even i32) (local $zf f64) (local $uf f64) (local $of f32)
    (local $zv v128) (local $u v128) (local $slopes v128) (local $ov v128) (local $bad v128)
    (local.set $slopes (f64x2.splat (local.get $slope)))
    (local.set $even (i32.shl (i32.and (local.get $co) (i32.const -2)) (i32.const 2)))
    (local.set $p (local.get $p0))
    (block $pointsDone
      (loop $points
        (br_if $pointsDone (i32.ge_s (local.get $p) (local.get $p1)))
        (local.set $row (i32.shl (i32.mul (local.get $p) (local.get $co)) (i32.const 2)))
        (local.set $from (i32.add (local.get $c) (i32.shl (i32.mul (local.get $p) (local.get $stride)) (i32.const 2))))
        (local.set $o (i32.const 0))
        (block $pairsDone
          (loop $pairs
            (br_if $pairsDone (i32.ge_s (local.get $o) (local.get $even)))
            (local.set $o8 (i32.shl (local.get $o) (i32.const 1)))
            (local.set $zv
              (f64x2.add
                (f64x2.promote_low_f32x4
                  (f32x4.mul
                    (v128.load64_zero (i32.add (i32.add (local.get $best) (local.get $row)) (local.get $o)))
                    (v128.load64_zero (i32.add (local.get $sign) (local.get $o)))))
                (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $from) (local.get $o))))))
            (if (local.get $withZ)
              (then
                (v128.store64_lane 0 (i32.add (i32.add (local.get $z) (local.get $row)) (local.get $o))
                  (f32x4.demote_f64x2_zero (local.get $zv)))))
            (local.set $u
              (f64x2.add
                (f64x2.mul (v128.load (i32.add (local.get $scale) (local.get $o8)))
                  (f64x2.sub (local.get $zv) (v128.load (i32.add (local.get $mean) (local.get $o8)))))
                (v128.load (i32.add (local.get $beta) (local.get $o8)))))
            (local.set $ov
              (f32x4.demote_f64x2_zero
                (v128.bitselect (local.get $u) (f64x2.mul (local.get $slopes) (local.get $u))
                  (f64x2.gt (local.get $u) (f64x2.splat (f64.const 0))))))
            (v128.store64_lane 0 (i32.add (i32.add (local.get $out) (local.get $row)) (local.get $o))
              (local.get $ov))
            ;; x − x is 0 for a finite x, NaN otherwise (the two zero lanes stay 0).
            (local.set $bad (v128.or (local.get $bad)
              (f32x4.ne (f32x4.sub (local.get $ov) (local.get $ov)) (v128.const i32x4 0 0 0 0))))
            (local.set $o (i32.add (local.get $o) (i32.const 8)))
            (br $pairs)))
        ;; An odd last channel, the same arithmetic in scalar form.
        (if (i32.and (local.get $co) (i32.const 1))
          (then
            (local.set $o8 (i32.shl (local.get $o) (i32.const 1)))
            (local.set $zf
              (f64.add
                (f64.promote_f32
                  (f32.mul (f32.load (i32.add (i32.add (local.get $best) (local.get $row)) (local.get $o)))
                    (f32.load (i32.add (local.get $sign) (local.get $o)))))
                (f64.promote_f32 (f32.load (i32.add (local.get $from) (local.get $o))))))
            (if (local.get $withZ)
              (then
                (f32.store (i32.add (i32.add (local.get $z) (local.get $row)) (local.get $o))
                  (f32.demote_f64 (local.get $zf)))))
            (local.set $uf
              (f64.add
                (f64.mul (f64.load (i32.add (local.get $scale) (local.get $o8)))
                  (f64.sub (local.get $zf) (f64.load (i32.add (local.get $mean) (local.get $o8)))))
                (f64.load (i32.add (local.get $beta) (local.get $o8)))))
            (local.set $of
              (f32.demote_f64
                (select (local.get $uf) (f64.mul (local.get $slope) (local.get $uf))
                  (f64.gt (local.get $uf) (f64.const 0)))))
            (f32.store (i32.add (i32.add (local.get $out) (local.get $row)) (local.get $o)) (local.get $of))
            (if (f32.ne (f32.sub (local.get $of) (local.get $of)) (f32.const 0))
              (then (local.set $bad (v128.const i32x4 -1 -1 -1 -1))))))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $points)))
    (if (v128.any_true (local.get $bad))
      (then (i32.store (local.get $flag) (i32.const 1)))))

  ;; Reverse-neighbourhood sums for the points [p0, p1) (whole samples): each point p adds its
  ;; row of $src (co floats at $src + 4·(p·stride + offset)) into the rows of $dst (co floats per
  ;; point) of its k neighbours ($idx, indices within the sample of n), in neighbour order.
  (func (export "scatterRows") (param $src i32) (param $stride i32) (param $offset i32)
    (param $idx i32) (param $n i32) (param $co i32) (param $k i32) (param $p0 i32) (param $p1 i32)
    (param $dst i32)
    (local $p i32) (local $q i32) (local $o i32) (local $base i32) (local $from i32) (local $to i32)
    (local $bytes i32) (local $vecBytes i32)
    (local.set $bytes (i32.shl (local.get $co) (i32.const 2)))
    (local.set $vecBytes (i32.shl (i32.and (local.get $co) (i32.const -4)) (i32.const 2)))
    (local.set $p (local.get $p0))
    (block $pointsDone
      (loop $points
        (br_if $pointsDone (i32.ge_s (local.get $p) (local.get $p1)))
        (local.set $base (i32.sub (local.get $p) (i32.rem_s (local.get $p) (local.get $n))))
        (local.set $from (i32.add (local.get $src)
          (i32.shl (i32.add (i32.mul (local.get $p) (local.get $stride)) (local.get $offset)) (i32.const 2))))
        (local.set $q (i32.const 0))
        (block $nbrsDone
          (loop $nbrs
            (br_if $nbrsDone (i32.ge_s (local.get $q) (local.get $k)))
            (local.set $to (i32.add (local.get $dst)
              (i32.mul
                (i32.add (local.get $base)
                  (i32.load (i32.add (local.get $idx)
                    (i32.shl (i32.add (i32.mul (local.get $p) (local.get $k)) (local.get $q)) (i32.const 2)))))
                (local.get $bytes))))
            (local.set $o (i32.const 0))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_s (local.get $o) (local.get $vecBytes)))
                (v128.store (i32.add (local.get $to) (local.get $o))
                  (f32x4.add (v128.load (i32.add (local.get $to) (local.get $o)))
                    (v128.load (i32.add (local.get $from) (local.get $o)))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_s (local.get $o) (local.get $bytes)))
                (f32.store (i32.add (local.get $to) (local.get $o))
                  (f32.add (f32.load (i32.add (local.get $to) (local.get $o)))
                    (f32.load (i32.add (local.get $from) (local.get $o)))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $tail)))
            (local.set $q (i32.add (local.get $q) (i32.const 1)))
            (br $nbrs)))
        (local.set $p (i32.add (local.get $p) (i32.const 1)))
        (br $points))))

  ;; Per sample s in [s0, s1) of n rows of c floats at $src, per channel o: the max over the
  ;; rows of sign_o · v ($sign: c floats of ±1; exact), written back as sign_o · max (so the max,
  ;; or the min where sign_o = −1) into $best (c floats per sample), and the first row attaining
  ;; it into $arg.
  (func (export "channelExtremes") (param $src i32) (param $n i32) (param $c i32) (param $sign i32)
    (param $s0 i32) (param $s1 i32) (param $best i32) (param $arg i32)
    (local $s i32) (local $i i32) (local $o i32) (local $bytes i32) (local $vecBytes i32)
    (local $row i32) (local $to i32) (local $v v128) (local $b v128) (local $m v128) (local $iv v128)
    (local $vf f32)
    (local.set $bytes (i32.shl (local.get $c) (i32.const 2)))
    (local.set $vecBytes (i32.shl (i32.and (local.get $c) (i32.const -4)) (i32.const 2)))
    (local.set $s (local.get $s0))
    (block $samplesDone
      (loop $samples
        (br_if $samplesDone (i32.ge_s (local.get $s) (local.get $s1)))
        (local.set $to (i32.mul (local.get $s) (local.get $bytes)))
        (local.set $i (i32.const 0))
        (block $rowsDone
          (loop $rows
            (br_if $rowsDone (i32.ge_s (local.get $i) (local.get $n)))
            (local.set $row (i32.add (local.get $src)
              (i32.mul (i32.add (i32.mul (local.get $s) (local.get $n)) (local.get $i)) (local.get $bytes))))
            (local.set $iv (i32x4.splat (local.get $i)))
            (local.set $o (i32.const 0))
            (block $vecDone
              (loop $vec
                (br_if $vecDone (i32.ge_s (local.get $o) (local.get $vecBytes)))
                (local.set $v (f32x4.mul (v128.load (i32.add (local.get $row) (local.get $o)))
                  (v128.load (i32.add (local.get $sign) (local.get $o)))))
                (if (i32.eqz (local.get $i))
                  (then
                    (v128.store (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o)) (local.get $v))
                    (v128.store (i32.add (i32.add (local.get $arg) (local.get $to)) (local.get $o)) (local.get $iv)))
                  (else
                    (local.set $b (v128.load (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o))))
                    (local.set $m (f32x4.gt (local.get $v) (local.get $b)))
                    (v128.store (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o))
                      (v128.bitselect (local.get $v) (local.get $b) (local.get $m)))
                    (v128.store (i32.add (i32.add (local.get $arg) (local.get $to)) (local.get $o))
                      (v128.bitselect (local.get $iv)
                        (v128.load (i32.add (i32.add (local.get $arg) (local.get $to)) (local.get $o)))
                        (local.get $m)))))
                (local.set $o (i32.add (local.get $o) (i32.const 16)))
                (br $vec)))
            (block $tailDone
              (loop $tail
                (br_if $tailDone (i32.ge_s (local.get $o) (local.get $bytes)))
                (local.set $vf (f32.mul (f32.load (i32.add (local.get $row) (local.get $o)))
                  (f32.load (i32.add (local.get $sign) (local.get $o)))))
                (if (i32.or (i32.eqz (local.get $i))
                      (f32.gt (local.get $vf) (f32.load (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o)))))
                  (then
                    (f32.store (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o)) (local.get $vf))
                    (i32.store (i32.add (i32.add (local.get $arg) (local.get $to)) (local.get $o)) (local.get $i))))
                (local.set $o (i32.add (local.get $o) (i32.const 4)))
                (br $tail)))
            (local.set $i (i32.add (local.get $i) (i32.const 1)))
            (br $rows)))
        ;; Back from sign_o · max to the extreme itself.
        (local.set $o (i32.const 0))
        (block $unsignDone
          (loop $unsign
            (br_if $unsignDone (i32.ge_s (local.get $o) (local.get $bytes)))
            (f32.store (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o))
              (f32.mul (f32.load (i32.add (i32.add (local.get $best) (local.get $to)) (local.get $o)))
                (f32.load (i32.add (local.get $sign) (local.get $o)))))
            (local.set $o (i32.add (local.get $o) (i32.const 4)))
            (br $unsign)))
        (local.set $s (i32.add (local.get $s) (i32.const 1)))
        (br $samples))))

  ;; One Adam step (torch 1.13's single-tensor Adam, amsgrad off) on $n float32 values, the
  ;; same bits as Adam.step's JavaScript loop: each float32 operation in float64, rounded once
  ;; to float32 (products of two float32 are exact in float64, so f(x·y + z) is the fused
  ;; multiply-add of torch's kernels). Every rounding is written out: calls would not be
  ;; inlined. $p, $g read; the moments $m, $v updated in place; the new parameters to $out. Two
  ;; values per iteration: every array is padded to 8 bytes.
  ;;   g' = f(p·decay + g) (or g when $hasDecay = 0)   m = f(g'·a1 + f(m·b1))
  ;;   v = f(f(a2·g')·g' + f(v·b2))   out = f(p + f(f(stepSize·m) / f(f(f(√v) / c2) + eps)))
  (func (export "adamStep") (param $p i32) (param $g i32) (param $m i32) (param $v i32)
    (param $out i32) (param $n i32) (param $hasDecay i32) (param $decay f64) (param $a1 f64)
    (param $b1 f64) (param $a2 f64) (param $b2 f64) (param $stepSize f64) (param $c2 f64)
    (param $eps f64)
    (local $o i32) (local $bytes i32)
    (local $pj v128) (local $gj v128) (local $mj v128) (local $vj v128) (local $denom v128)
    (local $vdecay v128) (local $va1 v128) (local $vb1 v128) (local $va2 v128) (local $vb2 v128)
    (local $vstep v128) (local $vc2 v128) (local $veps v128)
    (local.set $vdecay (f64x2.splat (local.get $decay)))
    (local.set $va1 (f64x2.splat (local.get $a1)))
    (local.set $vb1 (f64x2.splat (local.get $b1)))
    (local.set $va2 (f64x2.splat (local.get $a2)))
    (local.set $vb2 (f64x2.splat (local.get $b2)))
    (local.set $vstep (f64x2.splat (local.get $stepSize)))
    (local.set $vc2 (f64x2.splat (local.get $c2)))
    (local.set $veps (f64x2.splat (local.get $eps)))
    (local.set $bytes (i32.shl (local.get $n) (i32.const 2)))
    (block $done
      (loop $pairs
        (br_if $done (i32.ge_u (local.get $o) (local.get $bytes)))
        (local.set $pj (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $p) (local.get $o)))))
        (local.set $gj (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $g) (local.get $o)))))
        (if (local.get $hasDecay)
          (then
            (local.set $gj (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero               (f64x2.add (f64x2.mul (local.get $pj) (local.get $vdecay)) (local.get $gj)))))))
        (local.set $mj (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero           (f64x2.add (f64x2.mul (local.get $gj) (local.get $va1))
            (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $m) (local.get $o))))
              (local.get $vb1))))))))
        (local.set $vj (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero           (f64x2.add
            (f64x2.mul (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (local.get $va2) (local.get $gj)))) (local.get $gj))
            (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (f64x2.promote_low_f32x4 (v128.load64_zero (i32.add (local.get $v) (local.get $o))))
              (local.get $vb2))))))))
        (v128.store64_lane 0 (i32.add (local.get $m) (local.get $o))
          (f32x4.demote_f64x2_zero (local.get $mj)))
        (v128.store64_lane 0 (i32.add (local.get $v) (local.get $o))
          (f32x4.demote_f64x2_zero (local.get $vj)))
        (local.set $denom (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero           (f64x2.add
            (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.sqrt (local.get $vj)))) (local.get $vc2))))
            (local.get $veps)))))
        (v128.store64_lane 0 (i32.add (local.get $out) (local.get $o))
          (f32x4.demote_f64x2_zero
            (f64x2.add (local.get $pj)
              (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.div (f64x2.promote_low_f32x4 (f32x4.demote_f64x2_zero (f64x2.mul (local.get $vstep) (local.get $mj))))
                (local.get $denom)))))))
        (local.set $o (i32.add (local.get $o) (i32.const 8)))
        (br $pairs))))
)
