;; The column ("vol2col") loops of the engine's convolutions, in WebAssembly SIMD, run on the
;; memory of tfjs's threaded wasm backend itself, so that the columns are written where the
;; matrix product reads them and the col2vol sums land in the gradient tensor (no copies).
;; Pointers are byte offsets into that memory; layouts are those of kernels/conv/columns.ts
;; (channels-last input, one row per output position, tap-major columns). `@cellshape/engine`
;; compiles this file with wabt (`pnpm --filter @cellshape/engine build:wasm`) into
;; conv-kernels-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Copies ($add = 0) or adds ($add = 1) $n float32 values from $from to $to.
  (func $run (param $from i32) (param $to i32) (param $n i32) (param $add i32)
    (local $quads i32)
    (local.set $quads (i32.shr_u (local.get $n) (i32.const 2)))
    (local.set $n (i32.and (local.get $n) (i32.const 3)))
    (if (local.get $add)
      (then
        (block $done (loop $quad
          (br_if $done (i32.eqz (local.get $quads)))
          (v128.store (local.get $to)
            (f32x4.add (v128.load (local.get $to)) (v128.load (local.get $from))))
          (local.set $from (i32.add (local.get $from) (i32.const 16)))
          (local.set $to (i32.add (local.get $to) (i32.const 16)))
          (local.set $quads (i32.sub (local.get $quads) (i32.const 1)))
          (br $quad)))
        (block $done (loop $one
          (br_if $done (i32.eqz (local.get $n)))
          (f32.store (local.get $to)
            (f32.add (f32.load (local.get $to)) (f32.load (local.get $from))))
          (local.set $from (i32.add (local.get $from) (i32.const 4)))
          (local.set $to (i32.add (local.get $to) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $one))))
      (else
        (block $done (loop $quad
          (br_if $done (i32.eqz (local.get $quads)))
          (v128.store (local.get $to) (v128.load (local.get $from)))
          (local.set $from (i32.add (local.get $from) (i32.const 16)))
          (local.set $to (i32.add (local.get $to) (i32.const 16)))
          (local.set $quads (i32.sub (local.get $quads) (i32.const 1)))
          (br $quad)))
        (block $done (loop $one
          (br_if $done (i32.eqz (local.get $n)))
          (f32.store (local.get $to) (f32.load (local.get $from)))
          (local.set $from (i32.add (local.get $from) (i32.const 4)))
          (local.set $to (i32.add (local.get $to) (i32.const 4)))
          (local.set $n (i32.sub (local.get $n) (i32.const 1)))
          (br $one))))))

  (func $max (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.gt_s (local.get $a) (local.get $b))))
  (func $min (param $a i32) (param $b i32) (result i32)
    (select (local.get $a) (local.get $b) (i32.lt_s (local.get $a) (local.get $b))))

  ;; Rows [$r0, $r1) of the columns at $cols from the input at $x ($add = 0, vol2col; the rows
  ;; with taps in the padding are zeroed first), or added back into $x ($add = 1, col2vol). Input
  ;; [B, $D, $H, $W, $C]; output grid [$oD, $oH, $oW]; kernel, stride, padding per axis.
  (func $columns (export "columns") (param $x i32) (param $cols i32) (param $r0 i32) (param $r1 i32)
    (param $D i32) (param $H i32) (param $W i32) (param $C i32)
    (param $oD i32) (param $oH i32) (param $oW i32)
    (param $kd i32) (param $kh i32) (param $kw i32)
    (param $sd i32) (param $sh i32) (param $sw i32)
    (param $pd i32) (param $ph i32) (param $pw i32) (param $add i32)
    (local $r i32) (local $b i32) (local $rest i32) (local $ohw i32) (local $per i32)
    (local $d0 i32) (local $dlo i32) (local $dhi i32)
    (local $h0 i32) (local $hlo i32) (local $hhi i32)
    (local $w0 i32) (local $wlo i32) (local $whi i32)
    (local $K i32) (local $row i32) (local $count i32) (local $td i32) (local $th i32)
    (local $colD i32) (local $plane i32) (local $tapBytes i32) (local $col i32)
    (local.set $ohw (i32.mul (local.get $oH) (local.get $oW)))
    (local.set $per (i32.mul (local.get $oD) (local.get $ohw)))
    (local.set $K (i32.mul (i32.mul (i32.mul (local.get $kd) (local.get $kh)) (local.get $kw))
      (local.get $C)))
    (local.set $r (local.get $r0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
      ;; r → (b, od, oy, ox) → first input coordinate and the taps inside the input per axis.
      (local.set $b (i32.div_u (local.get $r) (local.get $per)))
      (local.set $rest (i32.sub (local.get $r) (i32.mul (local.get $b) (local.get $per))))
      (local.set $d0 (i32.sub (i32.mul (i32.div_u (local.get $rest) (local.get $ohw))
        (local.get $sd)) (local.get $pd)))
      (local.set $rest (i32.rem_u (local.get $rest) (local.get $ohw)))
      (local.set $h0 (i32.sub (i32.mul (i32.div_u (local.get $rest) (local.get $oW))
        (local.get $sh)) (local.get $ph)))
      (local.set $w0 (i32.sub (i32.mul (i32.rem_u (local.get $rest) (local.get $oW))
        (local.get $sw)) (local.get $pw)))
      (local.set $dlo (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $d0))))
      (local.set $dhi (call $min (local.get $kd) (i32.sub (local.get $D) (local.get $d0))))
      (local.set $hlo (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $h0))))
      (local.set $hhi (call $min (local.get $kh) (i32.sub (local.get $H) (local.get $h0))))
      (local.set $wlo (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $w0))))
      (local.set $whi (call $min (local.get $kw) (i32.sub (local.get $W) (local.get $w0))))
      (local.set $count (i32.mul (i32.sub (local.get $whi) (local.get $wlo)) (local.get $C)))
      ;; Byte offset of the row's first valid-w column.
      (local.set $row (i32.add (local.get $cols) (i32.shl (i32.add
        (i32.mul (i32.sub (local.get $r) (local.get $r0)) (local.get $K))
        (i32.mul (local.get $wlo) (local.get $C))) (i32.const 2))))
      (if (i32.and (i32.eqz (local.get $add)) (i32.or (i32.or
          (i32.or (i32.gt_s (local.get $dlo) (i32.const 0)) (i32.lt_s (local.get $dhi) (local.get $kd)))
          (i32.or (i32.gt_s (local.get $hlo) (i32.const 0)) (i32.lt_s (local.get $hhi) (local.get $kh))))
          (i32.or (i32.gt_s (local.get $wlo) (i32.const 0)) (i32.lt_s (local.get $whi) (local.get $kw)))))
        (then (memory.fill
          (i32.add (local.get $cols) (i32.shl (i32.mul (i32.sub (local.get $r) (local.get $r0))
            (local.get $K)) (i32.const 2)))
          (i32.const 0) (i32.shl (local.get $K) (i32.const 2)))))
      (if (i32.gt_s (local.get $count) (i32.const 0)) (then
        (local.set $td (local.get $dlo))
        (block $d_done (loop $d
          (br_if $d_done (i32.ge_s (local.get $td) (local.get $dhi)))
          (local.set $colD (i32.add (local.get $row) (i32.shl (i32.mul (i32.mul
            (i32.mul (local.get $td) (local.get $kh)) (local.get $kw)) (local.get $C)) (i32.const 2))))
          (local.set $plane (i32.mul (i32.add (i32.mul (local.get $b) (local.get $D))
            (i32.add (local.get $d0) (local.get $td))) (local.get $H)))
          (local.set $th (local.get $hlo))
          (block $h_done (loop $h
            (br_if $h_done (i32.ge_s (local.get $th) (local.get $hhi)))
            ;; Input element ((plane + h0 + th)·W + w0 + wlo)·C; column colD + th·kw·C.
            (local.set $tapBytes (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul
              (i32.add (local.get $plane) (i32.add (local.get $h0) (local.get $th)))
              (local.get $W)) (i32.add (local.get $w0) (local.get $wlo))) (local.get $C))
              (i32.const 2))))
            (local.set $col (i32.add (local.get $colD) (i32.shl (i32.mul (i32.mul (local.get $th)
              (local.get $kw)) (local.get $C)) (i32.const 2))))
            (if (local.get $add)
              (then (call $run (local.get $col) (local.get $tapBytes) (local.get $count) (i32.const 1)))
              (else (call $run (local.get $tapBytes) (local.get $col) (local.get $count) (i32.const 0))))
            (local.set $th (i32.add (local.get $th) (i32.const 1)))
            (br $h)))
          (local.set $td (i32.add (local.get $td) (i32.const 1)))
          (br $d)))))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; $dst [$cols, $rows] = the transpose of $src [$rows, $cols] (float32, row-major): 4×4 blocks
  ;; through SIMD shuffles, the edges one value at a time.
  (func (export "transpose") (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $r4 i32) (local $c4 i32) (local $from i32) (local $to i32)
    (local $rowBytes i32) (local $colBytes i32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $r4 (i32.and (local.get $rows) (i32.const -4)))
    (local.set $c4 (i32.and (local.get $cols) (i32.const -4)))
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $colBytes (i32.shl (local.get $rows) (i32.const 2)))
    (local.set $r (i32.const 0))
    (block $rows_done (loop $row_blocks
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r4)))
      (local.set $c (i32.const 0))
      (block $cols_done (loop $col_blocks
        (br_if $cols_done (i32.ge_u (local.get $c) (local.get $c4)))
        (local.set $from (i32.add (local.get $src) (i32.shl (i32.add
          (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $a0 (v128.load (local.get $from)))
        (local.set $a1 (v128.load (i32.add (local.get $from) (local.get $rowBytes))))
        (local.set $a2 (v128.load (i32.add (local.get $from) (i32.shl (local.get $rowBytes) (i32.const 1)))))
        (local.set $a3 (v128.load (i32.add (local.get $from) (i32.mul (local.get $rowBytes) (i32.const 3)))))
        (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a0) (local.get $a1)))
        (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a0) (local.get $a1)))
        (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $a2) (local.get $a3)))
        (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $a2) (local.get $a3)))
        (local.set $to (i32.add (local.get $dst) (i32.shl (i32.add
          (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2))))
        (v128.store (local.get $to)
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $to) (local.get $colBytes))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $colBytes) (i32.const 1)))
          (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
        (v128.store (i32.add (local.get $to) (i32.mul (local.get $colBytes) (i32.const 3)))
          (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $col_blocks)))
      (local.set $r (i32.add (local.get $r) (i32.const 4)))
      (br $row_blocks)))
    ;; The last columns of the blocked rows, then every column of the last rows.
    (call $transposeEdge (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols)
      (i32.const 0) (local.get $r4) (local.get $c4))
    (call $transposeEdge (local.get $src) (local.get $dst) (local.get $rows) (local.get $cols)
      (local.get $r4) (local.get $rows) (i32.const 0)))

  ;; The transpose of rows [$r0, $r1), columns [$c0, $cols) one value at a time.
  (func $transposeEdge (param $src i32) (param $dst i32) (param $rows i32) (param $cols i32)
    (param $r0 i32) (param $r1 i32) (param $c0 i32)
    (local $r i32) (local $c i32)
    (local.set $r (local.get $r0))
    (block $rows_done (loop $each_row
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $c (local.get $c0))
      (block $cols_done (loop $each_col
        (br_if $cols_done (i32.ge_u (local.get $c) (local.get $cols)))
        (f32.store (i32.add (local.get $dst) (i32.shl (i32.add
            (i32.mul (local.get $c) (local.get $rows)) (local.get $r)) (i32.const 2)))
          (f32.load (i32.add (local.get $src) (i32.shl (i32.add
            (i32.mul (local.get $r) (local.get $cols)) (local.get $c)) (i32.const 2)))))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $each_col)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $each_row))))

  ;; Winograd F(4×4, 3×3) transforms of the engine's 3×3 stride-1 2-D convolutions
  ;; (kernels/conv/winograd.ts): 4×4 output tiles from 6×6 input patches, 36 planes. Tiles are
  ;; numbered (b·tH + ty)·tW + tx; channels-last, so each transform runs on 4 channels at once
  ;; (channel counts must be multiples of 4). Plane ξ of a block starts at base + ξ·stride and
  ;; holds one row of C values per tile. Each 1-D transform reads and writes its 6 (or 4)
  ;; vectors at a base address plus multiples of a stride, so every loop below is a handful of
  ;; calls with no pointer tables (V8 in Node 20 inlines no wasm calls). $s, the scratch of one
  ;; thread (bytes): [0, 576) 36 intermediate vectors, then a zero-padded copy of a tile's
  ;; patch (36·C values) for the tiles that cross the input's edge.

  ;; Bᵀ·d of F(4×4, 3×3), d_k at $src + k·$ss, result k at $dst + k·$ds: (4d0 − 5d2 + d4,
  ;; −4(d1 + d2) + d3 + d4, 4(d1 − d2) − d3 + d4, 2(d3 − d1) − d2 + d4, 2(d1 − d3) − d2 + d4,
  ;; 4d1 − 5d3 + d5).
  (func $bt6 (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128) (local $d4 v128)
    (local $d5 v128) (local $four v128) (local $a v128) (local $b v128)
    (local.set $d0 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d1 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d2 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d3 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d4 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d5 (v128.load (local.get $src)))
    (local.set $four (f32x4.splat (f32.const 4)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.sub (f32x4.mul (local.get $four) (local.get $d0))
      (f32x4.mul (f32x4.splat (f32.const 5)) (local.get $d2))) (local.get $d4)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    ;; The shared parts: d4 − 4·d2 and 4·d1 − d3.
    (local.set $a (f32x4.sub (local.get $d4) (f32x4.mul (local.get $four) (local.get $d2))))
    (local.set $b (f32x4.sub (f32x4.mul (local.get $four) (local.get $d1)) (local.get $d3)))
    (v128.store (local.get $dst) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (local.set $a (f32x4.sub (local.get $d4) (local.get $d2)))
    (local.set $b (f32x4.mul (f32x4.splat (f32.const 2)) (f32x4.sub (local.get $d1) (local.get $d3))))
    (v128.store (local.get $dst) (f32x4.sub (local.get $a) (local.get $b)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.sub (f32x4.mul (local.get $four) (local.get $d1))
      (f32x4.mul (f32x4.splat (f32.const 5)) (local.get $d3))) (local.get $d5))))

  ;; Aᵀ·m + $bias of F(4×4, 3×3), m_k at $src + k·$ss, result k at $dst + k·$ds: (m0 + s + t,
  ;; (m1 − m2) + 2(m3 − m4), s + 4t, (m1 − m2) + 8(m3 − m4) + m5) with s = m1 + m2, t = m3 + m4.
  (func $at6 (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32) (param $bias v128)
    (local $m0 v128) (local $m5 v128) (local $s v128) (local $t v128) (local $u v128)
    (local $v v128) (local $m1 v128) (local $m2 v128) (local $m3 v128) (local $m4 v128)
    (local.set $m0 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $m1 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $m2 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $m3 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $m4 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $m5 (v128.load (local.get $src)))
    (local.set $s (f32x4.add (local.get $m1) (local.get $m2)))
    (local.set $t (f32x4.add (local.get $m3) (local.get $m4)))
    (local.set $u (f32x4.sub (local.get $m1) (local.get $m2)))
    (local.set $v (f32x4.sub (local.get $m3) (local.get $m4)))
    ;; Each result takes exactly one of s (y0, y2) and u (y1, y3): the bias goes into both.
    (local.set $s (f32x4.add (local.get $s) (local.get $bias)))
    (local.set $u (f32x4.add (local.get $u) (local.get $bias)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.add (local.get $m0) (local.get $s)) (local.get $t)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (local.get $u)
      (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $v))))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (local.get $s)
      (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $t))))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.add (local.get $u)
      (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $v))) (local.get $m5))))

  ;; A·d of F(4×4, 3×3), d_k at $src + k·$ss (4 of them), result k at $dst + k·$ds: (d0,
  ;; d0 + d1 + d2 + d3, d0 − d1 + d2 − d3, d0 + 2d1 + 4d2 + 8d3, d0 − 2d1 + 4d2 − 8d3, d3).
  (func $a4 (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32)
    (local $d0 v128) (local $d1 v128) (local $d2 v128) (local $d3 v128)
    (local $even v128) (local $odd v128)
    (local.set $d0 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d1 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d2 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d3 (v128.load (local.get $src)))
    (v128.store (local.get $dst) (local.get $d0))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (local.set $even (f32x4.add (local.get $d0) (local.get $d2)))
    (local.set $odd (f32x4.add (local.get $d1) (local.get $d3)))
    (v128.store (local.get $dst) (f32x4.add (local.get $even) (local.get $odd)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.sub (local.get $even) (local.get $odd)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (local.set $even (f32x4.add (local.get $d0)
      (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $d2))))
    (local.set $odd (f32x4.add (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $d1))
      (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $d3))))
    (v128.store (local.get $dst) (f32x4.add (local.get $even) (local.get $odd)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.sub (local.get $even) (local.get $odd)))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (local.get $d3)))

  ;; $dst [$n, $n, C] (C·4 = $bytes) = the patch of $src [B, $H, $W, C] at rows $y0 …, columns
  ;; $x0 … of image $b, zeros outside the image.
  (func $patch (param $src i32) (param $dst i32) (param $b i32) (param $y0 i32) (param $x0 i32)
    (param $H i32) (param $W i32) (param $bytes i32) (param $n i32)
    (local $i i32) (local $lo i32) (local $hi i32) (local $y i32)
    (memory.fill (local.get $dst) (i32.const 0)
      (i32.mul (i32.mul (local.get $n) (local.get $n)) (local.get $bytes)))
    (local.set $lo (call $max (i32.const 0) (i32.sub (i32.const 0) (local.get $x0))))
    (local.set $hi (call $min (local.get $n) (i32.sub (local.get $W) (local.get $x0))))
    (if (i32.le_s (local.get $hi) (local.get $lo)) (then (return)))
    (block $done (loop $rows
      (br_if $done (i32.ge_s (local.get $i) (local.get $n)))
      (local.set $y (i32.add (local.get $y0) (local.get $i)))
      (if (i32.lt_u (local.get $y) (local.get $H)) (then
        (memory.copy
          (i32.add (local.get $dst) (i32.mul (i32.add (i32.mul (local.get $i) (local.get $n))
            (local.get $lo)) (local.get $bytes)))
          (i32.add (local.get $src) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b)
            (local.get $H)) (local.get $y)) (local.get $W)) (i32.add (local.get $x0) (local.get $lo)))
            (local.get $bytes)))
          (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $bytes)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $rows))))

  ;; Plane rows U_ξ[t − $t0, :] = (Bᵀ·d·B)_ξ at $u + ξ·$stride for the tiles [$t0, $t1) of $x
  ;; [B, $H, $W, $C] (patches from rows 4·ty − $ph …, columns 4·tx − $pw …; zeros outside).
  (func $inputTiles (param $x i32) (param $s i32) (param $t0 i32) (param $t1 i32)
    (param $H i32) (param $W i32) (param $C i32) (param $tH i32) (param $tW i32) (param $ph i32)
    (param $pw i32) (param $u i32) (param $stride i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $iy i32) (local $ix i32)
    (local $bytes i32) (local $src i32) (local $rs i32) (local $row i32) (local $o i32) (local $i i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $iy (i32.sub (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2))
        (local.get $ph)))
      (local.set $ix (i32.sub (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2))
        (local.get $pw)))
      (if (i32.and
          (i32.and (i32.ge_s (local.get $iy) (i32.const 0)) (i32.ge_s (local.get $ix) (i32.const 0)))
          (i32.and (i32.le_s (i32.add (local.get $iy) (i32.const 6)) (local.get $H))
            (i32.le_s (i32.add (local.get $ix) (i32.const 6)) (local.get $W))))
        (then
          (local.set $src (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add
            (i32.mul (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix))
            (local.get $bytes))))
          (local.set $rs (i32.mul (local.get $W) (local.get $bytes))))
        (else
          (local.set $src (i32.add (local.get $s) (i32.const 576)))
          (call $patch (local.get $x) (local.get $src) (local.get $b) (local.get $iy) (local.get $ix)
            (local.get $H) (local.get $W) (local.get $bytes) (i32.const 6))
          (local.set $rs (i32.mul (i32.const 6) (local.get $bytes)))))
      (local.set $row (i32.add (local.get $u) (i32.mul (i32.sub (local.get $t) (local.get $t0))
        (local.get $bytes))))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 6 patch rows, then down the 6 columns into the planes.
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $bt6 (i32.add (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs)))
            (local.get $o)) (local.get $bytes)
            (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 96))) (i32.const 16))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $bt6 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 4))) (i32.const 96)
            (i32.add (i32.add (local.get $row) (i32.mul (local.get $i) (local.get $stride)))
              (local.get $o))
            (i32.mul (local.get $stride) (i32.const 6)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; $y [B, $oH, $oW, $C] at the tiles [$t0, $t1) = Aᵀ·M·A + bias of the plane rows M_ξ[t − $t0, :]
  ;; at $m + ξ·$stride, the bias the $C values at $bias (tiles past the output's edge go through
  ;; the patch scratch of $s).
  (func $outputTiles (param $m i32) (param $stride i32) (param $s i32) (param $y i32)
    (param $t0 i32) (param $t1 i32) (param $oH i32) (param $oW i32) (param $C i32) (param $tH i32)
    (param $tW i32) (param $bias i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $oy i32) (local $ox i32)
    (local $bytes i32) (local $dst i32) (local $rs i32) (local $row i32) (local $o i32) (local $i i32)
    (local $inside i32) (local $n i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $oy (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $ox (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $inside (i32.and (i32.le_u (i32.add (local.get $oy) (i32.const 4)) (local.get $oH))
        (i32.le_u (i32.add (local.get $ox) (i32.const 4)) (local.get $oW))))
      (if (local.get $inside)
        (then
          (local.set $dst (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add
            (i32.mul (local.get $b) (local.get $oH)) (local.get $oy)) (local.get $oW)) (local.get $ox))
            (local.get $bytes))))
          (local.set $rs (i32.mul (local.get $oW) (local.get $bytes))))
        (else
          (local.set $dst (i32.add (local.get $s) (i32.const 576)))
          (local.set $rs (i32.shl (local.get $bytes) (i32.const 2)))))
      (local.set $row (i32.add (local.get $m) (i32.mul (i32.sub (local.get $t) (local.get $t0))
        (local.get $bytes))))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 6 plane rows (6 → 4 values), then down the 4 columns.
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $at6 (i32.add (i32.add (local.get $row)
            (i32.mul (i32.mul (local.get $i) (i32.const 6)) (local.get $stride))) (local.get $o))
            (local.get $stride)
            (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 6))) (i32.const 16)
            (v128.const i32x4 0 0 0 0))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $at6 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 4))) (i32.const 64)
            (i32.add (i32.add (local.get $dst) (i32.mul (local.get $i) (local.get $bytes)))
              (local.get $o))
            (local.get $rs) (v128.load (i32.add (local.get $bias) (local.get $o))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (if (i32.eqz (local.get $inside)) (then
        ;; The tile's rows and columns inside the output, from the patch scratch.
        (local.set $n (i32.mul (call $min (i32.const 4) (i32.sub (local.get $oW) (local.get $ox)))
          (local.get $bytes)))
        (local.set $i (i32.const 0))
        (block $r_done (loop $rows
          (br_if $r_done (i32.ge_u (i32.add (local.get $oy) (local.get $i)) (local.get $oH)))
          (br_if $r_done (i32.ge_u (local.get $i) (i32.const 4)))
          (memory.copy
            (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b)
              (local.get $oH)) (i32.add (local.get $oy) (local.get $i))) (local.get $oW))
              (local.get $ox)) (local.get $bytes)))
            (i32.add (i32.add (local.get $s) (i32.const 576))
              (i32.mul (local.get $i) (i32.shl (local.get $bytes) (i32.const 2))))
            (local.get $n))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows)))))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Plane rows Ŷ_ξ[t − $t0, :] = (A·dy·Aᵀ)_ξ at $g + ξ·$stride for the tiles [$t0, $t1) of the
  ;; output gradient $dy [B, $oH, $oW, $C] (zeros past the output's edge).
  (func $gradTiles (param $dy i32) (param $s i32) (param $t0 i32) (param $t1 i32)
    (param $oH i32) (param $oW i32) (param $C i32) (param $tH i32) (param $tW i32)
    (param $g i32) (param $stride i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $oy i32) (local $ox i32)
    (local $bytes i32) (local $src i32) (local $rs i32) (local $row i32) (local $o i32) (local $i i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $oy (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $ox (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (if (i32.and (i32.le_u (i32.add (local.get $oy) (i32.const 4)) (local.get $oH))
          (i32.le_u (i32.add (local.get $ox) (i32.const 4)) (local.get $oW)))
        (then
          (local.set $src (i32.add (local.get $dy) (i32.mul (i32.add (i32.mul (i32.add
            (i32.mul (local.get $b) (local.get $oH)) (local.get $oy)) (local.get $oW)) (local.get $ox))
            (local.get $bytes))))
          (local.set $rs (i32.mul (local.get $oW) (local.get $bytes))))
        (else
          (local.set $src (i32.add (local.get $s) (i32.const 576)))
          (call $patch (local.get $dy) (local.get $src) (local.get $b) (local.get $oy) (local.get $ox)
            (local.get $oH) (local.get $oW) (local.get $bytes) (i32.const 4))
          (local.set $rs (i32.shl (local.get $bytes) (i32.const 2)))))
      (local.set $row (i32.add (local.get $g) (i32.mul (i32.sub (local.get $t) (local.get $t0))
        (local.get $bytes))))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 4 rows (4 → 6 values), then down the 6 columns into the planes.
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $a4 (i32.add (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $rs)))
            (local.get $o)) (local.get $bytes)
            (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 96))) (i32.const 16))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $a4 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 4))) (i32.const 96)
            (i32.add (i32.add (local.get $row) (i32.mul (local.get $i) (local.get $stride)))
              (local.get $o))
            (i32.mul (local.get $stride) (i32.const 6)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Plane-layout Winograd F(4×4, 3×3) transforms, used by the 3-D convolutions
  ;; (kernels/conv/winograd3d.ts: each depth slice a 2-D image; the 2-D path fuses its own): 4×4 output tiles from 6×6 input patches, 36 planes. Tiles are
  ;; numbered (b·tH + ty)·tW + tx; channels-last, so each transform runs on 4 channels at once
  ;; (channel counts must be multiples of 4). $scratch (bytes): [0, 144) the tile's 36 patch
  ;; (or 16 output) addresses, [144, 288) its 36 plane rows, [288, 864) 36 intermediate
  ;; vectors, [864, 1008) the 36 plane base addresses (set by the caller).

  ;; The vector at address slot $i of $scratch plus $o.
  (func $ldPlanes (param $s i32) (param $i i32) (param $o i32) (result v128)
    (v128.load (i32.add (i32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))))
      (local.get $o))))
  ;; Address slot $i of $scratch plus $o.
  (func $adPlanes (param $s i32) (param $i i32) (param $o i32) (result i32)
    (i32.add (i32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))))
      (local.get $o)))


  ;; Stores Bᵀ·d of F(4×4, 3×3) at $p0 … $p5: (4d0 − 5d2 + d4, −4(d1 + d2) + d3 + d4,
  ;; 4(d1 − d2) − d3 + d4, 2(d3 − d1) − d2 + d4, 2(d1 − d3) − d2 + d4, 4d1 − 5d3 + d5).
  (func $bt6Planes (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $p5 i32) (param $d0 v128) (param $d1 v128) (param $d2 v128) (param $d3 v128)
    (param $d4 v128) (param $d5 v128)
    (local $four v128) (local $five v128) (local $two v128) (local $a v128) (local $b v128)
    (local.set $four (f32x4.splat (f32.const 4)))
    (local.set $five (f32x4.splat (f32.const 5)))
    (local.set $two (f32x4.splat (f32.const 2)))
    (v128.store (local.get $p0) (f32x4.add (f32x4.sub (f32x4.mul (local.get $four) (local.get $d0))
      (f32x4.mul (local.get $five) (local.get $d2))) (local.get $d4)))
    ;; a = d3 + d4 … with the shared parts: d4 − 4·d2 and 4·d1 − d3.
    (local.set $a (f32x4.sub (local.get $d4) (f32x4.mul (local.get $four) (local.get $d2))))
    (local.set $b (f32x4.sub (f32x4.mul (local.get $four) (local.get $d1)) (local.get $d3)))
    (v128.store (local.get $p1) (f32x4.sub (local.get $a) (local.get $b)))
    (v128.store (local.get $p2) (f32x4.add (local.get $a) (local.get $b)))
    (local.set $a (f32x4.sub (local.get $d4) (local.get $d2)))
    (local.set $b (f32x4.mul (local.get $two) (f32x4.sub (local.get $d1) (local.get $d3))))
    (v128.store (local.get $p3) (f32x4.sub (local.get $a) (local.get $b)))
    (v128.store (local.get $p4) (f32x4.add (local.get $a) (local.get $b)))
    (v128.store (local.get $p5) (f32x4.add (f32x4.sub (f32x4.mul (local.get $four) (local.get $d1))
      (f32x4.mul (local.get $five) (local.get $d3))) (local.get $d5))))

  ;; Stores Aᵀ·m of F(4×4, 3×3) at $p0 … $p3: (m0 + s + t, (m1 − m2) + 2(m3 − m4),
  ;; s + 4t, (m1 − m2) + 8(m3 − m4) + m5) with s = m1 + m2, t = m3 + m4.
  (func $at6Planes (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32)
    (param $m0 v128) (param $m1 v128) (param $m2 v128) (param $m3 v128) (param $m4 v128)
    (param $m5 v128)
    (local $s v128) (local $t v128) (local $u v128) (local $v v128)
    (local.set $s (f32x4.add (local.get $m1) (local.get $m2)))
    (local.set $t (f32x4.add (local.get $m3) (local.get $m4)))
    (local.set $u (f32x4.sub (local.get $m1) (local.get $m2)))
    (local.set $v (f32x4.sub (local.get $m3) (local.get $m4)))
    (v128.store (local.get $p0) (f32x4.add (f32x4.add (local.get $m0) (local.get $s)) (local.get $t)))
    (v128.store (local.get $p1) (f32x4.add (local.get $u)
      (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $v))))
    (v128.store (local.get $p2) (f32x4.add (local.get $s)
      (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $t))))
    (v128.store (local.get $p3) (f32x4.add (f32x4.add (local.get $u)
      (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $v))) (local.get $m5))))

  ;; Slots 36 … 71 of $scratch: plane base (slots 216 …) + $rowOffset for the 36 planes.
  (func $planeRows36Planes (param $s i32) (param $rowOffset i32)
    (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (i32.const 36)))
      (i32.store (i32.add (local.get $s) (i32.shl (i32.add (local.get $i) (i32.const 36)) (i32.const 2)))
        (i32.add (i32.load (i32.add (local.get $s) (i32.shl (i32.add (local.get $i) (i32.const 216))
          (i32.const 2)))) (local.get $rowOffset)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; Address of intermediate vector $i.
  (func $tmpPlanes (param $s i32) (param $i i32) (result i32)
    (i32.add (i32.add (local.get $s) (i32.const 288)) (i32.shl (local.get $i) (i32.const 4))))

  ;; U_ξ[t − $t0, :] = (Bᵀ·d·B)_ξ (36 planes) for the 4×4 tiles [$t0, $t1) of $x [B, $H, $W, $C]
  ;; (patches from rows 4·ty − $ph …, columns 4·tx − $pw …; outside the input: $zero).
  (func (export "winograd4Input") (param $x i32) (param $s i32) (param $zero i32)
    (param $t0 i32) (param $t1 i32) (param $H i32) (param $W i32) (param $C i32)
    (param $tH i32) (param $tW i32) (param $ph i32) (param $pw i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $iy i32) (local $ix i32)
    (local $r i32) (local $c i32) (local $y i32) (local $xx i32) (local $o i32) (local $bytes i32)
    (local $k i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $iy (i32.sub (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2))
        (local.get $ph)))
      (local.set $ix (i32.sub (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2))
        (local.get $pw)))
      (local.set $k (i32.const 0))
      (block $k_done (loop $patch
        (br_if $k_done (i32.ge_u (local.get $k) (i32.const 36)))
        (local.set $y (i32.add (local.get $iy) (i32.div_u (local.get $k) (i32.const 6))))
        (local.set $xx (i32.add (local.get $ix) (i32.rem_u (local.get $k) (i32.const 6))))
        (i32.store (i32.add (local.get $s) (i32.shl (local.get $k) (i32.const 2)))
          (select
            (i32.add (local.get $x) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b)
              (local.get $H)) (local.get $y)) (local.get $W)) (local.get $xx)) (local.get $bytes)))
            (local.get $zero)
            (i32.and (i32.lt_u (local.get $y) (local.get $H)) (i32.lt_u (local.get $xx) (local.get $W)))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $patch)))
      (call $planeRows36Planes (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        (local.set $r (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $r) (i32.const 36)))
          (call $bt6Planes
            (call $tmpPlanes (local.get $s) (local.get $r))
            (call $tmpPlanes (local.get $s) (i32.add (local.get $r) (i32.const 1)))
            (call $tmpPlanes (local.get $s) (i32.add (local.get $r) (i32.const 2)))
            (call $tmpPlanes (local.get $s) (i32.add (local.get $r) (i32.const 3)))
            (call $tmpPlanes (local.get $s) (i32.add (local.get $r) (i32.const 4)))
            (call $tmpPlanes (local.get $s) (i32.add (local.get $r) (i32.const 5)))
            (call $ldPlanes (local.get $s) (local.get $r) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (local.get $r) (i32.const 1)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (local.get $r) (i32.const 2)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (local.get $r) (i32.const 3)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (local.get $r) (i32.const 4)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (local.get $r) (i32.const 5)) (local.get $o)))
          (local.set $r (i32.add (local.get $r) (i32.const 6)))
          (br $along)))
        (local.set $c (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $c) (i32.const 6)))
          (call $bt6Planes
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 36)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 42)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 48)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 54)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 60)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 66)) (local.get $o))
            (v128.load (call $tmpPlanes (local.get $s) (local.get $c)))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 6))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 12))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 18))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 24))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 30)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; $y [B, $oH, $oW, $C] at the 4×4 tiles [$t0, $t1) = Aᵀ·M·A of the 36 planes M_ξ
  ;; [t − $t0, $C] (outputs past the grid's end go to the $C values at $sink).
  (func (export "winograd4Output") (param $s i32) (param $y i32) (param $sink i32)
    (param $t0 i32) (param $t1 i32) (param $oH i32) (param $oW i32) (param $C i32)
    (param $tH i32) (param $tW i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $oy i32) (local $ox i32)
    (local $i i32) (local $yy i32) (local $xx i32) (local $o i32) (local $bytes i32) (local $r i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $oy (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $ox (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $i (i32.const 0))
      (block $i_done (loop $outs
        (br_if $i_done (i32.ge_u (local.get $i) (i32.const 16)))
        (local.set $yy (i32.add (local.get $oy) (i32.shr_u (local.get $i) (i32.const 2))))
        (local.set $xx (i32.add (local.get $ox) (i32.and (local.get $i) (i32.const 3))))
        (i32.store (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2)))
          (select
            (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b)
              (local.get $oH)) (local.get $yy)) (local.get $oW)) (local.get $xx)) (local.get $bytes)))
            (local.get $sink)
            (i32.and (i32.lt_u (local.get $yy) (local.get $oH)) (i32.lt_u (local.get $xx) (local.get $oW)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $outs)))
      (call $planeRows36Planes (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 6 plane rows (6 → 4 values), then down the 4 columns.
        (local.set $r (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $r) (i32.const 6)))
          (call $at6Planes
            (call $tmpPlanes (local.get $s) (i32.shl (local.get $r) (i32.const 2)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 1)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 2)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 3)))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 36)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 37)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 38)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 39)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 40)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 41)) (local.get $o)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $at6Planes
            (call $adPlanes (local.get $s) (local.get $i) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $i) (i32.const 4)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $i) (i32.const 8)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $i) (i32.const 12)) (local.get $o))
            (v128.load (call $tmpPlanes (local.get $s) (local.get $i)))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $i) (i32.const 4))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $i) (i32.const 8))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $i) (i32.const 12))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $i) (i32.const 16))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $i) (i32.const 20)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Stores A·d of F(4×4, 3×3) at $p0 … $p5: (d0, d0 + d1 + d2 + d3, d0 − d1 + d2 − d3,
  ;; d0 + 2d1 + 4d2 + 8d3, d0 − 2d1 + 4d2 − 8d3, d3).
  (func $a4Planes (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
    (param $p5 i32) (param $d0 v128) (param $d1 v128) (param $d2 v128) (param $d3 v128)
    (local $even v128) (local $odd v128)
    (v128.store (local.get $p0) (local.get $d0))
    (local.set $even (f32x4.add (local.get $d0) (local.get $d2)))
    (local.set $odd (f32x4.add (local.get $d1) (local.get $d3)))
    (v128.store (local.get $p1) (f32x4.add (local.get $even) (local.get $odd)))
    (v128.store (local.get $p2) (f32x4.sub (local.get $even) (local.get $odd)))
    (local.set $even (f32x4.add (local.get $d0)
      (f32x4.mul (f32x4.splat (f32.const 4)) (local.get $d2))))
    (local.set $odd (f32x4.add (f32x4.mul (f32x4.splat (f32.const 2)) (local.get $d1))
      (f32x4.mul (f32x4.splat (f32.const 8)) (local.get $d3))))
    (v128.store (local.get $p3) (f32x4.add (local.get $even) (local.get $odd)))
    (v128.store (local.get $p4) (f32x4.sub (local.get $even) (local.get $odd)))
    (v128.store (local.get $p5) (local.get $d3)))

  ;; Ŷ_ξ[t − $t0, :] = (A·dy·Aᵀ)_ξ (36 planes) for the 4×4 tiles [$t0, $t1) of the output
  ;; gradient $dy [B, $oH, $oW, $C] (past the grid's end: the zeros at $zero).
  (func (export "winograd4GradOutput") (param $dy i32) (param $s i32) (param $zero i32)
    (param $t0 i32) (param $t1 i32) (param $oH i32) (param $oW i32) (param $C i32)
    (param $tH i32) (param $tW i32)
    (local $t i32) (local $b i32) (local $rest i32) (local $oy i32) (local $ox i32)
    (local $i i32) (local $yy i32) (local $xx i32) (local $o i32) (local $bytes i32) (local $c i32)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $t (local.get $t0))
    (block $tiles_done (loop $tiles
      (br_if $tiles_done (i32.ge_u (local.get $t) (local.get $t1)))
      (local.set $b (i32.div_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $rest (i32.rem_u (local.get $t) (i32.mul (local.get $tH) (local.get $tW))))
      (local.set $oy (i32.shl (i32.div_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $ox (i32.shl (i32.rem_u (local.get $rest) (local.get $tW)) (i32.const 2)))
      (local.set $i (i32.const 0))
      (block $i_done (loop $ins
        (br_if $i_done (i32.ge_u (local.get $i) (i32.const 16)))
        (local.set $yy (i32.add (local.get $oy) (i32.shr_u (local.get $i) (i32.const 2))))
        (local.set $xx (i32.add (local.get $ox) (i32.and (local.get $i) (i32.const 3))))
        (i32.store (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2)))
          (select
            (i32.add (local.get $dy) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b)
              (local.get $oH)) (local.get $yy)) (local.get $oW)) (local.get $xx)) (local.get $bytes)))
            (local.get $zero)
            (i32.and (i32.lt_u (local.get $yy) (local.get $oH)) (i32.lt_u (local.get $xx) (local.get $oW)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $ins)))
      (call $planeRows36Planes (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 4 rows (4 → 6 values), then down the 6 columns into the planes.
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $a4Planes
            (call $tmpPlanes (local.get $s) (i32.mul (local.get $i) (i32.const 6)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 1)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 2)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 3)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 4)))
            (call $tmpPlanes (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 5)))
            (call $ldPlanes (local.get $s) (i32.shl (local.get $i) (i32.const 2)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 1)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 2)) (local.get $o))
            (call $ldPlanes (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 3)) (local.get $o)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $c (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $c) (i32.const 6)))
          (call $a4Planes
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 36)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 42)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 48)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 54)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 60)) (local.get $o))
            (call $adPlanes (local.get $s) (i32.add (local.get $c) (i32.const 66)) (local.get $o))
            (v128.load (call $tmpPlanes (local.get $s) (local.get $c)))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 6))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 12))))
            (v128.load (call $tmpPlanes (local.get $s) (i32.add (local.get $c) (i32.const 18)))))
          (local.set $c (i32.add (local.get $c) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Max-pooling's input gradient for the output positions [$p0, $p1) of [B, $oH, $oW] (4
  ;; channels at a time; $C a multiple of 4): each output's gradient is added to the first
  ;; window position (row-major) whose input equals the output — the max PyTorch and tfjs pick.
  ;; Window taps outside the input (padding) are skipped; $dx must start at zero.
  (func (export "maxPoolGrad") (param $x i32) (param $y i32) (param $dy i32) (param $dx i32)
    (param $p0 i32) (param $p1 i32) (param $H i32) (param $W i32) (param $C i32)
    (param $oH i32) (param $oW i32) (param $kh i32) (param $kw i32) (param $sh i32) (param $sw i32)
    (param $ph i32) (param $pw i32)
    (local $p i32) (local $b i32) (local $rest i32) (local $iy0 i32) (local $ix0 i32)
    (local $i i32) (local $j i32) (local $iy i32) (local $ix i32) (local $o i32) (local $bytes i32)
    (local $out i32) (local $at i32) (local $max v128) (local $grad v128) (local $free v128)
    (local $hit v128)
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $p (local.get $p0))
    (block $p_done (loop $positions
      (br_if $p_done (i32.ge_u (local.get $p) (local.get $p1)))
      (local.set $b (i32.div_u (local.get $p) (i32.mul (local.get $oH) (local.get $oW))))
      (local.set $rest (i32.rem_u (local.get $p) (i32.mul (local.get $oH) (local.get $oW))))
      (local.set $iy0 (i32.sub (i32.mul (i32.div_u (local.get $rest) (local.get $oW)) (local.get $sh))
        (local.get $ph)))
      (local.set $ix0 (i32.sub (i32.mul (i32.rem_u (local.get $rest) (local.get $oW)) (local.get $sw))
        (local.get $pw)))
      (local.set $out (i32.mul (local.get $p) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $c_done (loop $channels
        (br_if $c_done (i32.ge_u (local.get $o) (local.get $bytes)))
        (local.set $max (v128.load (i32.add (local.get $y) (i32.add (local.get $out) (local.get $o)))))
        (local.set $grad (v128.load (i32.add (local.get $dy) (i32.add (local.get $out) (local.get $o)))))
        ;; Lanes whose max is not yet found.
        (local.set $free (v128.const i32x4 -1 -1 -1 -1))
        (local.set $i (i32.const 0))
        (block $i_done (loop $rows
          (br_if $i_done (i32.ge_s (local.get $i) (local.get $kh)))
          (local.set $iy (i32.add (local.get $iy0) (local.get $i)))
          (if (i32.lt_u (local.get $iy) (local.get $H)) (then
            (local.set $j (i32.const 0))
            (block $j_done (loop $cols
              (br_if $j_done (i32.ge_s (local.get $j) (local.get $kw)))
              (local.set $ix (i32.add (local.get $ix0) (local.get $j)))
              (if (i32.lt_u (local.get $ix) (local.get $W)) (then
                (local.set $at (i32.add (i32.mul (i32.add (i32.mul (i32.add (i32.mul
                  (local.get $b) (local.get $H)) (local.get $iy)) (local.get $W)) (local.get $ix))
                  (local.get $bytes)) (local.get $o)))
                (local.set $hit (v128.and (local.get $free)
                  (f32x4.eq (v128.load (i32.add (local.get $x) (local.get $at))) (local.get $max))))
                (v128.store (i32.add (local.get $dx) (local.get $at))
                  (f32x4.add (v128.load (i32.add (local.get $dx) (local.get $at)))
                    (v128.and (local.get $grad) (local.get $hit))))
                (local.set $free (v128.andnot (local.get $free) (local.get $hit)))))
              (local.set $j (i32.add (local.get $j) (i32.const 1)))
              (br $cols)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $p (i32.add (local.get $p) (i32.const 1)))
      (br $positions))))


  ;; Matrix products of the fused convolution kernels below, in blocks small enough to stay in
  ;; cache (each thread runs its own blocks, so no product waits for a thread pool): C [rows,
  ;; cols] (row stride $crs bytes) = ($acc ? C : 0) + A·B, A[r, k] at $a + r·$ars + k·$aks and
  ;; B[k, j] at $b + k·$bks + 4j (bytes). rows and cols are multiples of 4. The micro-kernels
  ;; keep a 4×8 (or 4×4) block of C in registers over the whole inner dimension $n.

  ;; C[0..4, 0..8) of the product (see $gemm).
  (func $mk4x8 (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $ars i32)
    (param $aks i32) (param $bks i32) (param $crs i32) (param $acc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $x00 v128) (local $x01 v128) (local $x10 v128) (local $x11 v128)
    (local $x20 v128) (local $x21 v128) (local $x30 v128) (local $x31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $ars)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $ars)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $ars)))
    (local.set $c1 (i32.add (local.get $c) (local.get $crs)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $crs)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $crs)))
    (if (local.get $acc) (then
      (local.set $x00 (v128.load (local.get $c)))
      (local.set $x01 (v128.load offset=16 (local.get $c)))
      (local.set $x10 (v128.load (local.get $c1)))
      (local.set $x11 (v128.load offset=16 (local.get $c1)))
      (local.set $x20 (v128.load (local.get $c2)))
      (local.set $x21 (v128.load offset=16 (local.get $c2)))
      (local.set $x30 (v128.load (local.get $c3)))
      (local.set $x31 (v128.load offset=16 (local.get $c3)))))
    (block $done (loop $k
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $b1 (v128.load offset=16 (local.get $b)))
      (local.set $s (v128.load32_splat (local.get $a)))
      (local.set $x00 (f32x4.add (local.get $x00) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x01 (f32x4.add (local.get $x01) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (local.get $a1)))
      (local.set $x10 (f32x4.add (local.get $x10) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x11 (f32x4.add (local.get $x11) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (local.get $a2)))
      (local.set $x20 (f32x4.add (local.get $x20) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x21 (f32x4.add (local.get $x21) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $s (v128.load32_splat (local.get $a3)))
      (local.set $x30 (f32x4.add (local.get $x30) (f32x4.mul (local.get $s) (local.get $b0))))
      (local.set $x31 (f32x4.add (local.get $x31) (f32x4.mul (local.get $s) (local.get $b1))))
      (local.set $a (i32.add (local.get $a) (local.get $aks)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $aks)))
      (local.set $a2 (i32.add (local.get $a2) (local.get $aks)))
      (local.set $a3 (i32.add (local.get $a3) (local.get $aks)))
      (local.set $b (i32.add (local.get $b) (local.get $bks)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $k)))
    (v128.store (local.get $c) (local.get $x00))
    (v128.store offset=16 (local.get $c) (local.get $x01))
    (v128.store (local.get $c1) (local.get $x10))
    (v128.store offset=16 (local.get $c1) (local.get $x11))
    (v128.store (local.get $c2) (local.get $x20))
    (v128.store offset=16 (local.get $c2) (local.get $x21))
    (v128.store (local.get $c3) (local.get $x30))
    (v128.store offset=16 (local.get $c3) (local.get $x31)))

  ;; C[0..4, 0..4) of the product (see $gemm).
  (func $mk4x4 (param $a i32) (param $b i32) (param $c i32) (param $n i32) (param $ars i32)
    (param $aks i32) (param $bks i32) (param $crs i32) (param $acc i32)
    (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $c1 i32) (local $c2 i32) (local $c3 i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $b0 v128)
    (local.set $a1 (i32.add (local.get $a) (local.get $ars)))
    (local.set $a2 (i32.add (local.get $a1) (local.get $ars)))
    (local.set $a3 (i32.add (local.get $a2) (local.get $ars)))
    (local.set $c1 (i32.add (local.get $c) (local.get $crs)))
    (local.set $c2 (i32.add (local.get $c1) (local.get $crs)))
    (local.set $c3 (i32.add (local.get $c2) (local.get $crs)))
    (if (local.get $acc) (then
      (local.set $x0 (v128.load (local.get $c)))
      (local.set $x1 (v128.load (local.get $c1)))
      (local.set $x2 (v128.load (local.get $c2)))
      (local.set $x3 (v128.load (local.get $c3)))))
    (block $done (loop $k
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $b0 (v128.load (local.get $b)))
      (local.set $x0 (f32x4.add (local.get $x0)
        (f32x4.mul (v128.load32_splat (local.get $a)) (local.get $b0))))
      (local.set $x1 (f32x4.add (local.get $x1)
        (f32x4.mul (v128.load32_splat (local.get $a1)) (local.get $b0))))
      (local.set $x2 (f32x4.add (local.get $x2)
        (f32x4.mul (v128.load32_splat (local.get $a2)) (local.get $b0))))
      (local.set $x3 (f32x4.add (local.get $x3)
        (f32x4.mul (v128.load32_splat (local.get $a3)) (local.get $b0))))
      (local.set $a (i32.add (local.get $a) (local.get $aks)))
      (local.set $a1 (i32.add (local.get $a1) (local.get $aks)))
      (local.set $a2 (i32.add (local.get $a2) (local.get $aks)))
      (local.set $a3 (i32.add (local.get $a3) (local.get $aks)))
      (local.set $b (i32.add (local.get $b) (local.get $bks)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $k)))
    (v128.store (local.get $c) (local.get $x0))
    (v128.store (local.get $c1) (local.get $x1))
    (v128.store (local.get $c2) (local.get $x2))
    (v128.store (local.get $c3) (local.get $x3)))

  ;; C = ($acc ? C : 0) + A·B (layouts above): 8 columns at a time, then the last 4.
  (func $gemm (export "gemm") (param $a i32) (param $b i32) (param $c i32) (param $rows i32)
    (param $cols i32) (param $n i32) (param $ars i32) (param $aks i32) (param $bks i32)
    (param $crs i32) (param $acc i32)
    (local $r i32) (local $j i32)
    (block $cols_done (loop $col_blocks
      (br_if $cols_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $cols)))
      (local.set $r (i32.const 0))
      (block $rows_done (loop $row_blocks
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (call $mk4x8 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $ars)))
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $crs)))
            (i32.shl (local.get $j) (i32.const 2)))
          (local.get $n) (local.get $ars) (local.get $aks) (local.get $bks) (local.get $crs)
          (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $row_blocks)))
      (local.set $j (i32.add (local.get $j) (i32.const 8)))
      (br $col_blocks)))
    (if (i32.lt_u (local.get $j) (local.get $cols)) (then
      (local.set $r (i32.const 0))
      (block $rows_done (loop $row_blocks
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (call $mk4x4 (i32.add (local.get $a) (i32.mul (local.get $r) (local.get $ars)))
          (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2)))
          (i32.add (i32.add (local.get $c) (i32.mul (local.get $r) (local.get $crs)))
            (i32.shl (local.get $j) (i32.const 2)))
          (local.get $n) (local.get $ars) (local.get $aks) (local.get $bks) (local.get $crs)
          (local.get $acc))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $row_blocks))))))

  ;; $y [B, $oH, $oW, $Co] at the 4×4 tiles [$t0, $t1) = the F(4×4, 3×3) convolution of $x [B,
  ;; $H, $W, $C] by the filter planes $v [36, $C, $Co] plus the $Co values at $bias, $block tiles (a multiple of 4) at a
  ;; time: the block's input planes U [36, $block, $C] at $u, their products with $v, M [36,
  ;; $block, $Co] at $m, the output transform — all in cache. $s: the transforms' scratch
  ;; (576 bytes + 36·max($C, $Co) floats).
  (func (export "winograd4Forward") (param $x i32) (param $v i32) (param $y i32) (param $bias i32)
    (param $H i32) (param $W i32) (param $C i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $tH i32) (param $tW i32) (param $ph i32) (param $pw i32)
    (param $t0 i32) (param $t1 i32)
    (param $s i32) (param $u i32) (param $m i32) (param $block i32)
    (local $b0 i32) (local $b1 i32) (local $i i32) (local $rows i32)
    (local $uPlane i32) (local $mPlane i32) (local $vPlane i32)
    (local.set $uPlane (i32.shl (i32.mul (local.get $block) (local.get $C)) (i32.const 2)))
    (local.set $mPlane (i32.shl (i32.mul (local.get $block) (local.get $Co)) (i32.const 2)))
    (local.set $vPlane (i32.shl (i32.mul (local.get $C) (local.get $Co)) (i32.const 2)))
    (local.set $b0 (local.get $t0))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b0) (local.get $t1)))
      (local.set $b1 (call $min (i32.add (local.get $b0) (local.get $block)) (local.get $t1)))
      (local.set $rows (i32.and (i32.add (i32.sub (local.get $b1) (local.get $b0)) (i32.const 3))
        (i32.const -4)))
      (call $inputTiles (local.get $x) (local.get $s) (local.get $b0) (local.get $b1)
        (local.get $H) (local.get $W) (local.get $C) (local.get $tH) (local.get $tW)
        (local.get $ph) (local.get $pw) (local.get $u) (local.get $uPlane))
      (local.set $i (i32.const 0))
      (block $planes_done (loop $planes
        (br_if $planes_done (i32.ge_u (local.get $i) (i32.const 36)))
        (call $gemm (i32.add (local.get $u) (i32.mul (local.get $i) (local.get $uPlane)))
          (i32.add (local.get $v) (i32.mul (local.get $i) (local.get $vPlane)))
          (i32.add (local.get $m) (i32.mul (local.get $i) (local.get $mPlane)))
          (local.get $rows) (local.get $Co) (local.get $C)
          (i32.shl (local.get $C) (i32.const 2)) (i32.const 4)
          (i32.shl (local.get $Co) (i32.const 2)) (i32.shl (local.get $Co) (i32.const 2))
          (i32.const 0))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $planes)))
      (call $outputTiles (local.get $m) (local.get $mPlane) (local.get $s) (local.get $y)
        (local.get $b0) (local.get $b1) (local.get $oH) (local.get $oW) (local.get $Co)
        (local.get $tH) (local.get $tW) (local.get $bias))
      (local.set $b0 (local.get $b1))
      (br $blocks))))

  ;; $dv [36, $C, $Co] += Σ over the tiles [$t0, $t1) of U_ξᵀ·Ŷ_ξ: the filter gradient's
  ;; planes, U the input's transform (as in winograd4Forward), Ŷ = A·dy·Aᵀ the output
  ;; gradient's, $block tiles at a time (U at $u, Ŷ at $g, both in cache).
  (func (export "winograd4Filter") (param $x i32) (param $dy i32)
    (param $H i32) (param $W i32) (param $C i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $tH i32) (param $tW i32) (param $ph i32) (param $pw i32)
    (param $t0 i32) (param $t1 i32)
    (param $s i32) (param $u i32) (param $g i32) (param $dv i32) (param $block i32)
    (local $b0 i32) (local $b1 i32) (local $i i32)
    (local $uPlane i32) (local $gPlane i32) (local $vPlane i32)
    (local.set $uPlane (i32.shl (i32.mul (local.get $block) (local.get $C)) (i32.const 2)))
    (local.set $gPlane (i32.shl (i32.mul (local.get $block) (local.get $Co)) (i32.const 2)))
    (local.set $vPlane (i32.shl (i32.mul (local.get $C) (local.get $Co)) (i32.const 2)))
    (local.set $b0 (local.get $t0))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $b0) (local.get $t1)))
      (local.set $b1 (call $min (i32.add (local.get $b0) (local.get $block)) (local.get $t1)))
      (call $inputTiles (local.get $x) (local.get $s) (local.get $b0) (local.get $b1)
        (local.get $H) (local.get $W) (local.get $C) (local.get $tH) (local.get $tW)
        (local.get $ph) (local.get $pw) (local.get $u) (local.get $uPlane))
      (call $gradTiles (local.get $dy) (local.get $s) (local.get $b0) (local.get $b1)
        (local.get $oH) (local.get $oW) (local.get $Co) (local.get $tH) (local.get $tW)
        (local.get $g) (local.get $gPlane))
      (local.set $i (i32.const 0))
      (block $planes_done (loop $planes
        (br_if $planes_done (i32.ge_u (local.get $i) (i32.const 36)))
        (call $gemm (i32.add (local.get $u) (i32.mul (local.get $i) (local.get $uPlane)))
          (i32.add (local.get $g) (i32.mul (local.get $i) (local.get $gPlane)))
          (i32.add (local.get $dv) (i32.mul (local.get $i) (local.get $vPlane)))
          (local.get $C) (local.get $Co) (i32.sub (local.get $b1) (local.get $b0))
          (i32.const 4) (i32.shl (local.get $C) (i32.const 2))
          (i32.shl (local.get $Co) (i32.const 2)) (i32.shl (local.get $Co) (i32.const 2))
          (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $planes)))
      (local.set $b0 (local.get $b1))
      (br $blocks))))

  ;; Stride-1 convolutions of one-channel images (a first layer; kernels/conv/single-channel.ts),
  ;; one image at a time: the image, zero-padded, in the thread's $pad (rows of $oW + $kw + 3
  ;; values), then per output row and kernel row one product of the shifted padded row with the
  ;; filter row — the columns of a one-channel image are its padded rows read at taps' offsets.

  ;; $pad [$oH + $kh − 1, $oW + $kw + 3] = image $b of $x [B, $H, $W] with $ph rows and $pw
  ;; columns of zeros before it (and zeros after).
  (func $padImage (param $x i32) (param $pad i32) (param $b i32) (param $H i32) (param $W i32)
    (param $ph i32) (param $pw i32) (param $Hp i32) (param $Wp i32)
    (local $y i32)
    (memory.fill (local.get $pad) (i32.const 0)
      (i32.shl (i32.mul (local.get $Hp) (local.get $Wp)) (i32.const 2)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $y) (local.get $H)))
      (memory.copy
        (i32.add (local.get $pad) (i32.shl (i32.add (i32.mul (i32.add (local.get $y) (local.get $ph))
          (local.get $Wp)) (local.get $pw)) (i32.const 2)))
        (i32.add (local.get $x) (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $H))
          (local.get $y)) (local.get $W)) (i32.const 2)))
        (i32.shl (local.get $W) (i32.const 2)))
      (local.set $y (i32.add (local.get $y) (i32.const 1)))
      (br $rows))))

  ;; 4 output pixels × 8 channels of a one-channel convolution, all taps in registers:
  ;; $y[q, 0..8) = $bias[0..8) + Σ_{ky, kx} pad[$a + ky·$rowBytes + 4·(kx + q)] · $w[ky, kx, 0..8) (the
  ;; filter's rows $wStep bytes apart), output pixels $wStep bytes apart.
  (func $sc4x8 (param $a i32) (param $w i32) (param $y i32) (param $kh i32) (param $kw i32)
    (param $rowBytes i32) (param $wStep i32) (param $bias i32)
    (local $ky i32) (local $kx i32) (local $p i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128)
    (local $x4 v128) (local $x5 v128) (local $x6 v128) (local $x7 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $x0 (v128.load (local.get $bias)))
    (local.set $x1 (v128.load offset=16 (local.get $bias)))
    (local.set $x2 (local.get $x0))
    (local.set $x3 (local.get $x1))
    (local.set $x4 (local.get $x0))
    (local.set $x5 (local.get $x1))
    (local.set $x6 (local.get $x0))
    (local.set $x7 (local.get $x1))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $ky) (local.get $kh)))
      (local.set $p (i32.add (local.get $a) (i32.mul (local.get $ky) (local.get $rowBytes))))
      (local.set $kx (i32.const 0))
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u (local.get $kx) (local.get $kw)))
        (local.set $b0 (v128.load (local.get $w)))
        (local.set $b1 (v128.load offset=16 (local.get $w)))
        (local.set $s (v128.load32_splat (local.get $p)))
        (local.set $x0 (f32x4.add (local.get $x0) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $x1 (f32x4.add (local.get $x1) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat offset=4 (local.get $p)))
        (local.set $x2 (f32x4.add (local.get $x2) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $x3 (f32x4.add (local.get $x3) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat offset=8 (local.get $p)))
        (local.set $x4 (f32x4.add (local.get $x4) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $x5 (f32x4.add (local.get $x5) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $s (v128.load32_splat offset=12 (local.get $p)))
        (local.set $x6 (f32x4.add (local.get $x6) (f32x4.mul (local.get $s) (local.get $b0))))
        (local.set $x7 (f32x4.add (local.get $x7) (f32x4.mul (local.get $s) (local.get $b1))))
        (local.set $w (i32.add (local.get $w) (local.get $wStep)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
        (br $taps)))
      (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
      (br $rows)))
    (v128.store (local.get $y) (local.get $x0))
    (v128.store offset=16 (local.get $y) (local.get $x1))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x2))
    (v128.store offset=16 (local.get $y) (local.get $x3))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x4))
    (v128.store offset=16 (local.get $y) (local.get $x5))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x6))
    (v128.store offset=16 (local.get $y) (local.get $x7)))

  ;; $sc4x8 for 4 channels.
  (func $sc4x4 (param $a i32) (param $w i32) (param $y i32) (param $kh i32) (param $kw i32)
    (param $rowBytes i32) (param $wStep i32) (param $bias i32)
    (local $ky i32) (local $kx i32) (local $p i32)
    (local $x0 v128) (local $x1 v128) (local $x2 v128) (local $x3 v128) (local $b0 v128)
    (local.set $x0 (v128.load (local.get $bias)))
    (local.set $x1 (local.get $x0))
    (local.set $x2 (local.get $x0))
    (local.set $x3 (local.get $x0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $ky) (local.get $kh)))
      (local.set $p (i32.add (local.get $a) (i32.mul (local.get $ky) (local.get $rowBytes))))
      (local.set $kx (i32.const 0))
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u (local.get $kx) (local.get $kw)))
        (local.set $b0 (v128.load (local.get $w)))
        (local.set $x0 (f32x4.add (local.get $x0)
          (f32x4.mul (v128.load32_splat (local.get $p)) (local.get $b0))))
        (local.set $x1 (f32x4.add (local.get $x1)
          (f32x4.mul (v128.load32_splat offset=4 (local.get $p)) (local.get $b0))))
        (local.set $x2 (f32x4.add (local.get $x2)
          (f32x4.mul (v128.load32_splat offset=8 (local.get $p)) (local.get $b0))))
        (local.set $x3 (f32x4.add (local.get $x3)
          (f32x4.mul (v128.load32_splat offset=12 (local.get $p)) (local.get $b0))))
        (local.set $w (i32.add (local.get $w) (local.get $wStep)))
        (local.set $p (i32.add (local.get $p) (i32.const 4)))
        (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
        (br $taps)))
      (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
      (br $rows)))
    (v128.store (local.get $y) (local.get $x0))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x1))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x2))
    (local.set $y (i32.add (local.get $y) (local.get $wStep)))
    (v128.store (local.get $y) (local.get $x3)))

  ;; Images [$b0, $b1) of $y [B, $oH, $oW, $Co] = the convolution of $x [B, $H, $W, 1] by $w
  ;; [$kh, $kw, 1, $Co] plus the $Co values at $bias ($oW and $Co multiples of 4), 4 pixels × 8
  ;; (or 4) channels at a time.
  (func (export "singleChannelForward") (param $x i32) (param $w i32) (param $y i32)
    (param $bias i32) (param $H i32) (param $W i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $kh i32) (param $kw i32) (param $ph i32) (param $pw i32)
    (param $b0 i32) (param $b1 i32) (param $pad i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $j i32) (local $Wp i32)
    (local $rowBytes i32) (local $a i32) (local $out i32)
    (local.set $Wp (i32.add (i32.add (local.get $oW) (local.get $kw)) (i32.const 3)))
    (local.set $rowBytes (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $b (local.get $b0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $b) (local.get $b1)))
      (call $padImage (local.get $x) (local.get $pad) (local.get $b) (local.get $H) (local.get $W)
        (local.get $ph) (local.get $pw) (i32.sub (i32.add (local.get $oH) (local.get $kh)) (i32.const 1))
        (local.get $Wp))
      (local.set $oy (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $oy) (local.get $oH)))
        (local.set $ox (i32.const 0))
        (block $px_done (loop $pixels
          (br_if $px_done (i32.ge_u (local.get $ox) (local.get $oW)))
          (local.set $a (i32.add (local.get $pad) (i32.shl (i32.add (i32.mul (local.get $oy)
            (local.get $Wp)) (local.get $ox)) (i32.const 2))))
          (local.set $out (i32.add (local.get $y) (i32.mul (i32.add (i32.mul (i32.add (i32.mul
            (local.get $b) (local.get $oH)) (local.get $oy)) (local.get $oW)) (local.get $ox))
            (local.get $rowBytes))))
          (local.set $j (i32.const 0))
          (block $ch_done (loop $channels
            (br_if $ch_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $Co)))
            (call $sc4x8 (local.get $a) (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $kh) (local.get $kw) (i32.shl (local.get $Wp) (i32.const 2))
              (local.get $rowBytes) (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))
            (local.set $j (i32.add (local.get $j) (i32.const 8)))
            (br $channels)))
          (if (i32.lt_u (local.get $j) (local.get $Co)) (then
            (call $sc4x4 (local.get $a) (i32.add (local.get $w) (i32.shl (local.get $j) (i32.const 2)))
              (i32.add (local.get $out) (i32.shl (local.get $j) (i32.const 2)))
              (local.get $kh) (local.get $kw) (i32.shl (local.get $Wp) (i32.const 2))
              (local.get $rowBytes) (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2))))))
          (local.set $ox (i32.add (local.get $ox) (i32.const 4)))
          (br $pixels)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $images))))

  ;; $dw [$kh, 4, $Co] += the filter gradient of that convolution over the images [$b0, $b1)
  ;; (row kx of kernel row ky at (4·ky + kx)·$Co; rows kx ≥ $kw are scratch; $kw ≤ 4).
  (func (export "singleChannelFilter") (param $x i32) (param $dy i32)
    (param $H i32) (param $W i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $kh i32) (param $kw i32) (param $ph i32) (param $pw i32)
    (param $b0 i32) (param $b1 i32) (param $pad i32) (param $dw i32)
    (local $b i32) (local $oy i32) (local $ky i32) (local $Wp i32) (local $rowBytes i32)
    (local.set $Wp (i32.add (i32.add (local.get $oW) (local.get $kw)) (i32.const 3)))
    (local.set $rowBytes (i32.shl (local.get $Co) (i32.const 2)))
    (local.set $b (local.get $b0))
    (block $done (loop $images
      (br_if $done (i32.ge_u (local.get $b) (local.get $b1)))
      (call $padImage (local.get $x) (local.get $pad) (local.get $b) (local.get $H) (local.get $W)
        (local.get $ph) (local.get $pw) (i32.sub (i32.add (local.get $oH) (local.get $kh)) (i32.const 1))
        (local.get $Wp))
      (local.set $oy (i32.const 0))
      (block $rows_done (loop $rows
        (br_if $rows_done (i32.ge_u (local.get $oy) (local.get $oH)))
        (local.set $ky (i32.const 0))
        (block $taps_done (loop $taps
          (br_if $taps_done (i32.ge_u (local.get $ky) (local.get $kh)))
          ;; A[kx, pixel] = pad[oy + ky, pixel + kx]; B = dy's row oy [oW, Co].
          (call $gemm
            (i32.add (local.get $pad) (i32.shl (i32.mul (i32.add (local.get $oy) (local.get $ky))
              (local.get $Wp)) (i32.const 2)))
            (i32.add (local.get $dy) (i32.mul (i32.mul (i32.add (i32.mul (local.get $b)
              (local.get $oH)) (local.get $oy)) (local.get $oW)) (local.get $rowBytes)))
            (i32.add (local.get $dw) (i32.mul (i32.shl (local.get $ky) (i32.const 2))
              (local.get $rowBytes)))
            (i32.const 4) (local.get $Co) (local.get $oW) (i32.const 4) (i32.const 4)
            (local.get $rowBytes) (local.get $rowBytes) (i32.const 1))
          (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
          (br $taps)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $rows)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $images))))

  ;; Rows [$r0, $r1) (r = b·$h + y) of the input gradient $dx [B, $h·$kh, $w·$kw, $C] of a
  ;; convolution whose kernel is its stride ($kh × $kw, no padding; kernels/conv/disjoint-taps.ts):
  ;; dx[b, y·$kh + ky, x·$kw + kx, :] = dy[b, y, x, :] · $wt[ky, kx] ($wt [$kh, $kw, $O, $C]),
  ;; one product per row and tap written straight to its interleaved positions ($w and $C
  ;; multiples of 4).
  (func (export "disjointTapsInputGrad") (param $dy i32) (param $wt i32) (param $dx i32)
    (param $h i32) (param $w i32) (param $O i32) (param $C i32) (param $kh i32) (param $kw i32)
    (param $r0 i32) (param $r1 i32)
    (local $r i32) (local $ky i32) (local $kx i32) (local $cBytes i32)
    (local.set $cBytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $r (local.get $r0))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $ky (i32.const 0))
      (block $ky_done (loop $kys
        (br_if $ky_done (i32.ge_u (local.get $ky) (local.get $kh)))
        (local.set $kx (i32.const 0))
        (block $kx_done (loop $kxs
          (br_if $kx_done (i32.ge_u (local.get $kx) (local.get $kw)))
          (call $gemm
            (i32.add (local.get $dy) (i32.shl (i32.mul (i32.mul (local.get $r) (local.get $w))
              (local.get $O)) (i32.const 2)))
            (i32.add (local.get $wt) (i32.mul (i32.mul (i32.add (i32.mul (local.get $ky)
              (local.get $kw)) (local.get $kx)) (local.get $O)) (local.get $cBytes)))
            (i32.add (local.get $dx) (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $r)
              (local.get $kh)) (local.get $ky)) (i32.mul (local.get $w) (local.get $kw)))
              (local.get $kx)) (local.get $cBytes)))
            (local.get $w) (local.get $C) (local.get $O)
            (i32.shl (local.get $O) (i32.const 2)) (i32.const 4)
            (local.get $cBytes) (i32.mul (local.get $kw) (local.get $cBytes)) (i32.const 0))
          (local.set $kx (i32.add (local.get $kx) (i32.const 1)))
          (br $kxs)))
        (local.set $ky (i32.add (local.get $ky) (i32.const 1)))
        (br $kys)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Column sums of the row groups [$g0, $g1) of $src [$rows, $cols]: $out[g, :] = Σ of rows
  ;; [g·$group, min((g + 1)·$group, $rows)) — the first level of the two-level sums of
  ;; nn/column-sum.ts (kernels/conv/column-sums.ts), 16 columns in registers at a time.
  (func (export "columnSums") (param $src i32) (param $rows i32) (param $cols i32)
    (param $group i32) (param $out i32) (param $g0 i32) (param $g1 i32)
    (local $g i32) (local $r0 i32) (local $r1 i32) (local $c i32) (local $p i32) (local $r i32)
    (local $rowBytes i32) (local $to i32) (local $s f32)
    (local $a0 v128) (local $a1 v128) (local $a2 v128) (local $a3 v128)
    (local.set $rowBytes (i32.shl (local.get $cols) (i32.const 2)))
    (local.set $g (local.get $g0))
    (block $done (loop $groups
      (br_if $done (i32.ge_u (local.get $g) (local.get $g1)))
      (local.set $r0 (i32.mul (local.get $g) (local.get $group)))
      (local.set $r1 (call $min (i32.add (local.get $r0) (local.get $group)) (local.get $rows)))
      (local.set $to (i32.add (local.get $out) (i32.mul (local.get $g) (local.get $rowBytes))))
      (local.set $c (i32.const 0))
      (block $wide_done (loop $wide
        (br_if $wide_done (i32.gt_u (i32.add (local.get $c) (i32.const 16)) (local.get $cols)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $a1 (v128.const i32x4 0 0 0 0))
        (local.set $a2 (v128.const i32x4 0 0 0 0))
        (local.set $a3 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r0)
          (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $r (local.get $r0))
        (block $rows_done (loop $each_row
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
          (local.set $a1 (f32x4.add (local.get $a1) (v128.load offset=16 (local.get $p))))
          (local.set $a2 (f32x4.add (local.get $a2) (v128.load offset=32 (local.get $p))))
          (local.set $a3 (f32x4.add (local.get $a3) (v128.load offset=48 (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $each_row)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $a0))
        (v128.store offset=16 (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $a1))
        (v128.store offset=32 (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $a2))
        (v128.store offset=48 (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $a3))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $wide)))
      (block $quad_done (loop $quad
        (br_if $quad_done (i32.gt_u (i32.add (local.get $c) (i32.const 4)) (local.get $cols)))
        (local.set $a0 (v128.const i32x4 0 0 0 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r0)
          (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $r (local.get $r0))
        (block $rows_done (loop $each_row
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $a0 (f32x4.add (local.get $a0) (v128.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $each_row)))
        (v128.store (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $a0))
        (local.set $c (i32.add (local.get $c) (i32.const 4)))
        (br $quad)))
      (block $one_done (loop $one
        (br_if $one_done (i32.ge_u (local.get $c) (local.get $cols)))
        (local.set $s (f32.const 0))
        (local.set $p (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $r0)
          (local.get $cols)) (local.get $c)) (i32.const 2))))
        (local.set $r (local.get $r0))
        (block $rows_done (loop $each_row
          (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
          (local.set $s (f32.add (local.get $s) (f32.load (local.get $p))))
          (local.set $p (i32.add (local.get $p) (local.get $rowBytes)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $each_row)))
        (f32.store (i32.add (local.get $to) (i32.shl (local.get $c) (i32.const 2))) (local.get $s))
        (local.set $c (i32.add (local.get $c) (i32.const 1)))
        (br $one)))
      (local.set $g (i32.add (local.get $g) (i32.const 1)))
      (br $groups))))

  ;; Fused Winograd F(4×4, 3×3) passes over depth slices (kernels/conv/winograd3d.ts): 3-D
  ;; convolutions with $kd (1 … 3) taps in depth, each depth slice a 2-D image of the transforms
  ;; above. $x [B, $D, $H, $W, $C] → $y [B, $oD, $oH, $oW, $Co], 4×4 tiles of each slice's grid
  ;; ($tH × $tW), filter planes $v [36, $kd, $C, $Co]. Plane ξ of output slice d is
  ;; Σ_k U_ξ(d − $pd + k)·V_ξᵏ (slices outside the volume are zero and skipped). A block is one
  ;; sample, tiles [r0, r0 + rc) of the grid (at most $R) and output slices [d0, d1) (at most
  ;; $nD); blocks are numbered (b·⌈oD/nD⌉ + d0/nD)·⌈tH·tW/R⌉ + r0/R. Its input planes U
  ;; [36][$nD + $kd − 1][rs][$C] (slice-major, rs rows per slice) are transformed once and
  ;; serve the $kd output slices that read them: the product of tap k over output slices
  ;; [lo, hi) is one GEMM of (hi − lo)·rs contiguous rows. ($D = B, $kd = 1: a batch of 2-D
  ;; images.)

  ;; Blocks of ⌈$n / $per⌉.
  (func $groups (param $n i32) (param $per i32) (result i32)
    (i32.div_u (i32.sub (i32.add (local.get $n) (local.get $per)) (i32.const 1)) (local.get $per)))

  ;; U_ξ[j][r] at $u + ξ·$uPlane + (j·$rs + r)·C·4 for the input slices $s0 + j (j < $n) of
  ;; sample $b inside [0, $D), tiles [$r0, $r0 + $rc) (as $inputTiles).
  (func $depthInputs (param $x i32) (param $s i32) (param $u i32) (param $uPlane i32)
    (param $D i32) (param $H i32) (param $W i32) (param $C i32) (param $tH i32) (param $tW i32)
    (param $ph i32) (param $pw i32) (param $b i32) (param $s0 i32) (param $n i32) (param $r0 i32)
    (param $rc i32) (param $rs i32)
    (local $j i32) (local $slice i32) (local $t0 i32)
    (block $done (loop $slices
      (br_if $done (i32.ge_s (local.get $j) (local.get $n)))
      (local.set $slice (i32.add (local.get $s0) (local.get $j)))
      (if (i32.lt_u (local.get $slice) (local.get $D)) (then
        (local.set $t0 (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $D))
          (local.get $slice)) (i32.mul (local.get $tH) (local.get $tW))) (local.get $r0)))
        (call $inputTiles (local.get $x) (local.get $s) (local.get $t0)
          (i32.add (local.get $t0) (local.get $rc)) (local.get $H) (local.get $W) (local.get $C)
          (local.get $tH) (local.get $tW) (local.get $ph) (local.get $pw)
          (i32.add (local.get $u) (i32.shl (i32.mul (i32.mul (local.get $j) (local.get $rs))
            (local.get $C)) (i32.const 2)))
          (local.get $uPlane))))
      (local.set $j (i32.add (local.get $j) (i32.const 1)))
      (br $slices))))

  ;; The products of a block (output slices [$d0, $d1), $rs rows each), plane by plane and tap
  ;; by tap over the output slices whose input slice d − $pd + k is inside [0, $D): forward
  ;; ($grad = 0) M_ξ = Σ_k U_ξ[d − d0 + k]·V_ξᵏ (M [36][nD][rs][$Co] at $m, zeroed first where
  ;; the first tap does not reach); filter gradient ($grad = 1) dV_ξᵏ += U_ξ[d − d0 + k]ᵀ·Ŷ_ξ[d −
  ;; d0] (Ŷ at $m, dV [36, $kd, $C, $Co] at $v).
  (func $depthProducts (param $u i32) (param $v i32) (param $m i32) (param $uPlane i32)
    (param $mPlane i32) (param $C i32) (param $Co i32) (param $kd i32) (param $D i32)
    (param $pd i32) (param $d0 i32) (param $d1 i32) (param $rs i32) (param $grad i32)
    (local $i i32) (local $k i32) (local $lo i32) (local $hi i32) (local $acc i32)
    (local $ua i32) (local $ma i32) (local $va i32) (local $rows i32)
    (block $planes_done (loop $planes
      (br_if $planes_done (i32.ge_u (local.get $i) (i32.const 36)))
      (local.set $acc (local.get $grad))
      (local.set $k (i32.const 0))
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u (local.get $k) (local.get $kd)))
        (local.set $lo (call $max (local.get $d0) (i32.sub (local.get $pd) (local.get $k))))
        (local.set $hi (call $min (local.get $d1)
          (i32.sub (i32.add (local.get $D) (local.get $pd)) (local.get $k))))
        (if (i32.lt_s (local.get $lo) (local.get $hi)) (then
          (local.set $rows (i32.mul (i32.sub (local.get $hi) (local.get $lo)) (local.get $rs)))
          (local.set $ua (i32.add (i32.add (local.get $u) (i32.mul (local.get $i) (local.get $uPlane)))
            (i32.shl (i32.mul (i32.mul (i32.add (i32.sub (local.get $lo) (local.get $d0))
              (local.get $k)) (local.get $rs)) (local.get $C)) (i32.const 2))))
          (local.set $ma (i32.add (i32.add (local.get $m) (i32.mul (local.get $i) (local.get $mPlane)))
            (i32.shl (i32.mul (i32.mul (i32.sub (local.get $lo) (local.get $d0)) (local.get $rs))
              (local.get $Co)) (i32.const 2))))
          (local.set $va (i32.add (local.get $v) (i32.shl (i32.mul (i32.mul (i32.add
            (i32.mul (local.get $i) (local.get $kd)) (local.get $k)) (local.get $C)) (local.get $Co))
            (i32.const 2))))
          (if (local.get $grad)
            (then
              (call $gemm (local.get $ua) (local.get $ma) (local.get $va) (local.get $C)
                (local.get $Co) (local.get $rows) (i32.const 4) (i32.shl (local.get $C) (i32.const 2))
                (i32.shl (local.get $Co) (i32.const 2)) (i32.shl (local.get $Co) (i32.const 2))
                (i32.const 1)))
            (else
              (if (i32.and (i32.eqz (local.get $acc)) (i32.or (i32.ne (local.get $lo) (local.get $d0))
                  (i32.ne (local.get $hi) (local.get $d1))))
                (then
                  (memory.fill (i32.add (local.get $m) (i32.mul (local.get $i) (local.get $mPlane)))
                    (i32.const 0) (i32.shl (i32.mul (i32.mul (i32.sub (local.get $d1) (local.get $d0))
                      (local.get $rs)) (local.get $Co)) (i32.const 2)))
                  (local.set $acc (i32.const 1))))
              (call $gemm (local.get $ua) (local.get $va) (local.get $ma) (local.get $rows)
                (local.get $Co) (local.get $C) (i32.shl (local.get $C) (i32.const 2)) (i32.const 4)
                (i32.shl (local.get $Co) (i32.const 2)) (i32.shl (local.get $Co) (i32.const 2))
                (local.get $acc))
              (local.set $acc (i32.const 1))))))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $taps)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $planes))))

  ;; $y [B, $oD, $oH, $oW, $Co] at the blocks [$k0, $k1) = the convolution of $x by the planes
  ;; $v plus the $Co values at $bias: per block its input transforms (U at $u, 36·($nD + $kd −
  ;; 1)·$R·$C floats), products (M at $m, 36·$nD·$R·$Co floats) and output transforms, in
  ;; cache. $s: the transforms' scratch (576 bytes + 36·max($C, $Co) floats).
  (func (export "winograd4Depth") (param $x i32) (param $v i32) (param $y i32) (param $bias i32)
    (param $D i32) (param $H i32) (param $W i32) (param $C i32)
    (param $oD i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $tH i32) (param $tW i32) (param $kd i32) (param $pd i32) (param $ph i32) (param $pw i32)
    (param $R i32) (param $nD i32) (param $k0 i32) (param $k1 i32)
    (param $s i32) (param $u i32) (param $m i32)
    (local $tiles i32) (local $tGroups i32) (local $dGroups i32) (local $rest i32) (local $b i32)
    (local $d0 i32) (local $d1 i32) (local $r0 i32) (local $rc i32) (local $rs i32) (local $j i32)
    (local $uPlane i32) (local $mPlane i32) (local $t0 i32)
    (local.set $tiles (i32.mul (local.get $tH) (local.get $tW)))
    (local.set $tGroups (call $groups (local.get $tiles) (local.get $R)))
    (local.set $dGroups (call $groups (local.get $oD) (local.get $nD)))
    (local.set $uPlane (i32.shl (i32.mul (i32.mul (i32.sub (i32.add (local.get $nD) (local.get $kd))
      (i32.const 1)) (local.get $R)) (local.get $C)) (i32.const 2)))
    (local.set $mPlane (i32.shl (i32.mul (i32.mul (local.get $nD) (local.get $R)) (local.get $Co))
      (i32.const 2)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $k0) (local.get $k1)))
      (local.set $r0 (i32.mul (i32.rem_u (local.get $k0) (local.get $tGroups)) (local.get $R)))
      (local.set $rest (i32.div_u (local.get $k0) (local.get $tGroups)))
      (local.set $d0 (i32.mul (i32.rem_u (local.get $rest) (local.get $dGroups)) (local.get $nD)))
      (local.set $b (i32.div_u (local.get $rest) (local.get $dGroups)))
      (local.set $d1 (call $min (i32.add (local.get $d0) (local.get $nD)) (local.get $oD)))
      (local.set $rc (call $min (local.get $R) (i32.sub (local.get $tiles) (local.get $r0))))
      ;; Rows per slice: a multiple of 4 (the products' rows; the extra rows are not written out).
      (local.set $rs (i32.and (i32.add (local.get $rc) (i32.const 3)) (i32.const -4)))
      (call $depthInputs (local.get $x) (local.get $s) (local.get $u) (local.get $uPlane)
        (local.get $D) (local.get $H) (local.get $W) (local.get $C) (local.get $tH) (local.get $tW)
        (local.get $ph) (local.get $pw) (local.get $b) (i32.sub (local.get $d0) (local.get $pd))
        (i32.sub (i32.add (i32.sub (local.get $d1) (local.get $d0)) (local.get $kd)) (i32.const 1))
        (local.get $r0) (local.get $rc) (local.get $rs))
      (call $depthProducts (local.get $u) (local.get $v) (local.get $m) (local.get $uPlane)
        (local.get $mPlane) (local.get $C) (local.get $Co) (local.get $kd) (local.get $D)
        (local.get $pd) (local.get $d0) (local.get $d1) (local.get $rs) (i32.const 0))
      (local.set $j (i32.const 0))
      (block $out_done (loop $outputs
        (br_if $out_done (i32.ge_u (local.get $j) (i32.sub (local.get $d1) (local.get $d0))))
        (local.set $t0 (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oD))
          (i32.add (local.get $d0) (local.get $j))) (local.get $tiles)) (local.get $r0)))
        (call $outputTiles (i32.add (local.get $m) (i32.shl (i32.mul (i32.mul (local.get $j)
          (local.get $rs)) (local.get $Co)) (i32.const 2))) (local.get $mPlane) (local.get $s)
          (local.get $y) (local.get $t0) (i32.add (local.get $t0) (local.get $rc)) (local.get $oH)
          (local.get $oW) (local.get $Co) (local.get $tH) (local.get $tW) (local.get $bias))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $outputs)))
      (local.set $k0 (i32.add (local.get $k0) (i32.const 1)))
      (br $blocks))))

  ;; $dv [36, $kd, $C, $Co] += the filter gradient's planes of the blocks [$k0, $k1) (blocks as in
  ;; winograd4Depth, rs = rc rows per slice: the products' inner side): U the input's transform,
  ;; Ŷ = A·dy·Aᵀ the output gradient's (at $g, 36·$nD·$R·$Co floats).
  (func (export "winograd4DepthFilter") (param $x i32) (param $dy i32)
    (param $D i32) (param $H i32) (param $W i32) (param $C i32)
    (param $oD i32) (param $oH i32) (param $oW i32) (param $Co i32)
    (param $tH i32) (param $tW i32) (param $kd i32) (param $pd i32) (param $ph i32) (param $pw i32)
    (param $R i32) (param $nD i32) (param $k0 i32) (param $k1 i32)
    (param $s i32) (param $u i32) (param $g i32) (param $dv i32)
    (local $tiles i32) (local $tGroups i32) (local $dGroups i32) (local $rest i32) (local $b i32)
    (local $d0 i32) (local $d1 i32) (local $r0 i32) (local $rc i32) (local $j i32)
    (local $uPlane i32) (local $gPlane i32) (local $t0 i32)
    (local.set $tiles (i32.mul (local.get $tH) (local.get $tW)))
    (local.set $tGroups (call $groups (local.get $tiles) (local.get $R)))
    (local.set $dGroups (call $groups (local.get $oD) (local.get $nD)))
    (local.set $uPlane (i32.shl (i32.mul (i32.mul (i32.sub (i32.add (local.get $nD) (local.get $kd))
      (i32.const 1)) (local.get $R)) (local.get $C)) (i32.const 2)))
    (local.set $gPlane (i32.shl (i32.mul (i32.mul (local.get $nD) (local.get $R)) (local.get $Co))
      (i32.const 2)))
    (block $done (loop $blocks
      (br_if $done (i32.ge_u (local.get $k0) (local.get $k1)))
      (local.set $r0 (i32.mul (i32.rem_u (local.get $k0) (local.get $tGroups)) (local.get $R)))
      (local.set $rest (i32.div_u (local.get $k0) (local.get $tGroups)))
      (local.set $d0 (i32.mul (i32.rem_u (local.get $rest) (local.get $dGroups)) (local.get $nD)))
      (local.set $b (i32.div_u (local.get $rest) (local.get $dGroups)))
      (local.set $d1 (call $min (i32.add (local.get $d0) (local.get $nD)) (local.get $oD)))
      (local.set $rc (call $min (local.get $R) (i32.sub (local.get $tiles) (local.get $r0))))
      (call $depthInputs (local.get $x) (local.get $s) (local.get $u) (local.get $uPlane)
        (local.get $D) (local.get $H) (local.get $W) (local.get $C) (local.get $tH) (local.get $tW)
        (local.get $ph) (local.get $pw) (local.get $b) (i32.sub (local.get $d0) (local.get $pd))
        (i32.sub (i32.add (i32.sub (local.get $d1) (local.get $d0)) (local.get $kd)) (i32.const 1))
        (local.get $r0) (local.get $rc) (local.get $rc))
      (local.set $j (i32.const 0))
      (block $grad_done (loop $grads
        (br_if $grad_done (i32.ge_u (local.get $j) (i32.sub (local.get $d1) (local.get $d0))))
        (local.set $t0 (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $oD))
          (i32.add (local.get $d0) (local.get $j))) (local.get $tiles)) (local.get $r0)))
        (call $gradTiles (local.get $dy) (local.get $s) (local.get $t0)
          (i32.add (local.get $t0) (local.get $rc)) (local.get $oH) (local.get $oW) (local.get $Co)
          (local.get $tH) (local.get $tW)
          (i32.add (local.get $g) (i32.shl (i32.mul (i32.mul (local.get $j) (local.get $rc))
            (local.get $Co)) (i32.const 2)))
          (local.get $gPlane))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $grads)))
      (call $depthProducts (local.get $u) (local.get $dv) (local.get $g) (local.get $uPlane)
        (local.get $gPlane) (local.get $C) (local.get $Co) (local.get $kd) (local.get $D)
        (local.get $pd) (local.get $d0) (local.get $d1) (local.get $rc) (i32.const 1))
      (local.set $k0 (i32.add (local.get $k0) (i32.const 1)))
      (br $blocks))))

  ;; The filter transforms of the Winograd passes, 4 filter values at a time on both threads.
  ;; G (6×3) of F(4×4, 3×3): rows (1/4, 0, 0), (−1/6, −1/6, −1/6), (−1/6, 1/6, −1/6),
  ;; (1/24, 1/12, 1/6), (1/24, −1/12, 1/6), (0, 0, 1).

  ;; Stores $v at $p, or (lane stride $es ≠ 4 bytes) its 4 lanes at $p + lane·$es.
  (func $storeLanes (param $p i32) (param $v v128) (param $es i32)
    (if (i32.eq (local.get $es) (i32.const 4))
      (then (v128.store (local.get $p) (local.get $v)))
      (else
        (f32.store (local.get $p) (f32x4.extract_lane 0 (local.get $v)))
        (local.set $p (i32.add (local.get $p) (local.get $es)))
        (f32.store (local.get $p) (f32x4.extract_lane 1 (local.get $v)))
        (local.set $p (i32.add (local.get $p) (local.get $es)))
        (f32.store (local.get $p) (f32x4.extract_lane 2 (local.get $v)))
        (local.set $p (i32.add (local.get $p) (local.get $es)))
        (f32.store (local.get $p) (f32x4.extract_lane 3 (local.get $v))))))

  ;; G·g: g_k at $src + k·$ss (3 of them), result k at $dst + k·$ds (6; lanes at $es apart).
  (func $g6 (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32) (param $es i32)
    (local $g0 v128) (local $g1 v128) (local $g2 v128) (local $even v128) (local $odd v128)
    (local.set $g0 (v128.load (local.get $src)))
    (local.set $g1 (v128.load (i32.add (local.get $src) (local.get $ss))))
    (local.set $g2 (v128.load (i32.add (local.get $src) (i32.shl (local.get $ss) (i32.const 1)))))
    (call $storeLanes (local.get $dst) (f32x4.mul (f32x4.splat (f32.const 0.25)) (local.get $g0))
      (local.get $es))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (local.set $even (f32x4.mul (f32x4.splat (f32.const -0x1.555556p-3))
      (f32x4.add (local.get $g0) (local.get $g2))))
    (local.set $odd (f32x4.mul (f32x4.splat (f32.const -0x1.555556p-3)) (local.get $g1)))
    (call $storeLanes (local.get $dst) (f32x4.add (local.get $even) (local.get $odd)) (local.get $es))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (call $storeLanes (local.get $dst) (f32x4.sub (local.get $even) (local.get $odd)) (local.get $es))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (local.set $even (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-5)) (local.get $g0))
      (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-3)) (local.get $g2))))
    (local.set $odd (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-4)) (local.get $g1)))
    (call $storeLanes (local.get $dst) (f32x4.add (local.get $even) (local.get $odd)) (local.get $es))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (call $storeLanes (local.get $dst) (f32x4.sub (local.get $even) (local.get $odd)) (local.get $es))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (call $storeLanes (local.get $dst) (local.get $g2) (local.get $es)))

  ;; Gᵀ·d: d_k at $src + k·$ss (6 of them), result k at $dst + k·$ds (3): (d0/4 − (d1 + d2)/6
  ;; + (d3 + d4)/24, (d2 − d1)/6 + (d3 − d4)/12, (d3 + d4 − d1 − d2)/6 + d5).
  (func $gt6 (param $src i32) (param $ss i32) (param $dst i32) (param $ds i32)
    (local $d0 v128) (local $s12 v128) (local $u12 v128) (local $s34 v128) (local $u34 v128)
    (local $d5 v128)
    (local.set $d0 (v128.load (local.get $src)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $s12 (v128.load (local.get $src)))
    (local.set $u12 (local.get $s12))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $s12 (f32x4.add (local.get $s12) (v128.load (local.get $src))))
    (local.set $u12 (f32x4.sub (v128.load (local.get $src)) (local.get $u12)))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $s34 (v128.load (local.get $src)))
    (local.set $u34 (local.get $s34))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $s34 (f32x4.add (local.get $s34) (v128.load (local.get $src))))
    (local.set $u34 (f32x4.sub (local.get $u34) (v128.load (local.get $src))))
    (local.set $src (i32.add (local.get $src) (local.get $ss)))
    (local.set $d5 (v128.load (local.get $src)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.sub
      (f32x4.mul (f32x4.splat (f32.const 0.25)) (local.get $d0))
      (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-3)) (local.get $s12)))
      (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-5)) (local.get $s34))))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add
      (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-3)) (local.get $u12))
      (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-4)) (local.get $u34))))
    (local.set $dst (i32.add (local.get $dst) (local.get $ds)))
    (v128.store (local.get $dst) (f32x4.add (f32x4.mul (f32x4.splat (f32.const 0x1.555556p-3))
      (f32x4.sub (local.get $s34) (local.get $s12))) (local.get $d5))))

  ;; The filter planes $v [36, $kd, $C, $Co] (V_ξᵏ = G·g_k·Gᵀ) of $f [$kd, 3, 3, $C, $Co], or with
  ;; $flip those of the input gradient's filter (rotated 180°, channels swapped: $v [36, $kd,
  ;; $Co, $C], V_ξᵏ from g_{kd−1−k} with taps reversed, transposed), for the filter values
  ;; [4·$q0, 4·$q1) of each tap (4 output channels of one input channel at a time). $s: 288
  ;; bytes of scratch.
  (func (export "winograd4FilterPlanes") (param $f i32) (param $v i32) (param $C i32)
    (param $Co i32) (param $kd i32) (param $flip i32) (param $q0 i32) (param $q1 i32)
    (param $s i32)
    (local $n i32) (local $k i32) (local $e i32) (local $src i32) (local $is i32) (local $js i32)
    (local $dst i32) (local $es i32) (local $i i32) (local $tap i32)
    (local.set $n (i32.shl (i32.mul (local.get $C) (local.get $Co)) (i32.const 2)))
    (local.set $js (select (i32.sub (i32.const 0) (local.get $n)) (local.get $n) (local.get $flip)))
    (local.set $is (i32.mul (local.get $js) (i32.const 3)))
    (local.set $es (select (i32.shl (local.get $C) (i32.const 2)) (i32.const 4) (local.get $flip)))
    (block $done (loop $quads
      (br_if $done (i32.ge_u (local.get $q0) (local.get $q1)))
      (local.set $e (i32.shl (local.get $q0) (i32.const 2)))
      ;; Where value e (= c·Co + o) goes in a plane: e, or o·C + c transposed.
      (local.set $dst (select
        (i32.shl (i32.add (i32.mul (i32.rem_u (local.get $e) (local.get $Co)) (local.get $C))
          (i32.div_u (local.get $e) (local.get $Co))) (i32.const 2))
        (i32.shl (local.get $e) (i32.const 2)) (local.get $flip)))
      (local.set $k (i32.const 0))
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u (local.get $k) (local.get $kd)))
        (local.set $tap (select (i32.sub (i32.sub (local.get $kd) (i32.const 1)) (local.get $k))
          (local.get $k) (local.get $flip)))
        ;; g[i, j] of the tap (flipped: g[2 − i, 2 − j], by negative strides from g[2, 2]).
        (local.set $src (i32.add (i32.add (local.get $f)
          (i32.mul (i32.add (i32.mul (local.get $tap) (i32.const 9))
            (select (i32.const 8) (i32.const 0) (local.get $flip))) (local.get $n)))
          (i32.shl (local.get $e) (i32.const 2))))
        (local.set $i (i32.const 0))
        (block $rows_done (loop $rows
          (br_if $rows_done (i32.ge_u (local.get $i) (i32.const 3)))
          (call $g6 (i32.add (local.get $src) (i32.mul (local.get $i) (local.get $is)))
            (local.get $js) (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 96)))
            (i32.const 16) (i32.const 4))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $rows)))
        (local.set $i (i32.const 0))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $g6 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 4))) (i32.const 96)
            (i32.add (i32.add (local.get $v) (local.get $dst))
              (i32.mul (i32.add (i32.mul (local.get $i) (local.get $kd)) (local.get $k)) (local.get $n)))
            (i32.mul (i32.mul (local.get $n) (local.get $kd)) (i32.const 6)) (local.get $es))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $cols)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $taps)))
      (local.set $q0 (i32.add (local.get $q0) (i32.const 1)))
      (br $quads))))

  ;; The filter gradient $dg [$kd, 3, 3, $C, $Co] = Gᵀ·dV_k·G of the planes $dv [36, $kd, $C, $Co]
  ;; plus, if $dv2 ≠ 0, those at $dv2 (another thread's sums, added into $dv), for the values
  ;; [4·$q0, 4·$q1) of each tap. $s: 288 bytes of scratch.
  (func (export "winograd4FilterGrad") (param $dv i32) (param $dv2 i32) (param $dg i32)
    (param $C i32) (param $Co i32) (param $kd i32) (param $q0 i32) (param $q1 i32) (param $s i32)
    (local $n i32) (local $k i32) (local $e i32) (local $i i32) (local $src i32)
    (local.set $n (i32.shl (i32.mul (local.get $C) (local.get $Co)) (i32.const 2)))
    (if (local.get $dv2) (then
      (block $sums_done (loop $sums
        (br_if $sums_done (i32.ge_u (local.get $i) (i32.mul (i32.const 36) (local.get $kd))))
        (call $run (i32.add (i32.add (local.get $dv2) (i32.mul (local.get $i) (local.get $n)))
            (i32.shl (local.get $q0) (i32.const 4)))
          (i32.add (i32.add (local.get $dv) (i32.mul (local.get $i) (local.get $n)))
            (i32.shl (local.get $q0) (i32.const 4)))
          (i32.shl (i32.sub (local.get $q1) (local.get $q0)) (i32.const 2)) (i32.const 1))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $sums)))))
    (block $done (loop $quads
      (br_if $done (i32.ge_u (local.get $q0) (local.get $q1)))
      (local.set $e (i32.shl (local.get $q0) (i32.const 4)))
      (local.set $k (i32.const 0))
      (block $taps_done (loop $taps
        (br_if $taps_done (i32.ge_u (local.get $k) (local.get $kd)))
        (local.set $src (i32.add (i32.add (local.get $dv) (i32.mul (local.get $k) (local.get $n)))
          (local.get $e)))
        ;; Along b for each a (6 → 3), then along a for each j into the taps [i, j].
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 6)))
          (call $gt6 (i32.add (local.get $src)
              (i32.mul (i32.mul (i32.mul (local.get $i) (i32.const 6)) (local.get $kd)) (local.get $n)))
            (i32.mul (local.get $kd) (local.get $n))
            (i32.add (local.get $s) (i32.mul (local.get $i) (i32.const 48))) (i32.const 16))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $j_done (loop $down
          (br_if $j_done (i32.ge_u (local.get $i) (i32.const 3)))
          (call $gt6 (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 4))) (i32.const 48)
            (i32.add (i32.add (local.get $dg) (i32.mul (i32.add (i32.mul (local.get $k) (i32.const 9))
              (local.get $i)) (local.get $n))) (local.get $e))
            (i32.mul (local.get $n) (i32.const 3)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $taps)))
      (local.set $q0 (i32.add (local.get $q0) (i32.const 1)))
      (br $quads))))
)
