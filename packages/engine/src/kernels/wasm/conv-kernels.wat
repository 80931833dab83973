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
  (func (export "columns") (param $x i32) (param $cols i32) (param $r0 i32) (param $r1 i32)
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
  ;; (channel counts must be multiples of 4). $scratch (bytes): [0, 144) the tile's 36 patch
  ;; (or 16 output) addresses, [144, 288) its 36 plane rows, [288, 864) 36 intermediate
  ;; vectors, [864, 1008) the 36 plane base addresses (set by the caller).

  ;; The vector at address slot $i of $scratch plus $o.
  (func $ld (param $s i32) (param $i i32) (param $o i32) (result v128)
    (v128.load (i32.add (i32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))))
      (local.get $o))))
  ;; Address slot $i of $scratch plus $o.
  (func $ad (param $s i32) (param $i i32) (param $o i32) (result i32)
    (i32.add (i32.load (i32.add (local.get $s) (i32.shl (local.get $i) (i32.const 2))))
      (local.get $o)))


  ;; Stores Bᵀ·d of F(4×4, 3×3) at $p0 … $p5: (4d0 − 5d2 + d4, −4(d1 + d2) + d3 + d4,
  ;; 4(d1 − d2) − d3 + d4, 2(d3 − d1) − d2 + d4, 2(d1 − d3) − d2 + d4, 4d1 − 5d3 + d5).
  (func $bt6 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
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
  (func $at6 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32)
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
  (func $planeRows36 (param $s i32) (param $rowOffset i32)
    (local $i i32)
    (block $done (loop $each
      (br_if $done (i32.ge_u (local.get $i) (i32.const 36)))
      (i32.store (i32.add (local.get $s) (i32.shl (i32.add (local.get $i) (i32.const 36)) (i32.const 2)))
        (i32.add (i32.load (i32.add (local.get $s) (i32.shl (i32.add (local.get $i) (i32.const 216))
          (i32.const 2)))) (local.get $rowOffset)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $each))))

  ;; Address of intermediate vector $i.
  (func $tmp (param $s i32) (param $i i32) (result i32)
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
      (call $planeRows36 (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        (local.set $r (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $r) (i32.const 36)))
          (call $bt6
            (call $tmp (local.get $s) (local.get $r))
            (call $tmp (local.get $s) (i32.add (local.get $r) (i32.const 1)))
            (call $tmp (local.get $s) (i32.add (local.get $r) (i32.const 2)))
            (call $tmp (local.get $s) (i32.add (local.get $r) (i32.const 3)))
            (call $tmp (local.get $s) (i32.add (local.get $r) (i32.const 4)))
            (call $tmp (local.get $s) (i32.add (local.get $r) (i32.const 5)))
            (call $ld (local.get $s) (local.get $r) (local.get $o))
            (call $ld (local.get $s) (i32.add (local.get $r) (i32.const 1)) (local.get $o))
            (call $ld (local.get $s) (i32.add (local.get $r) (i32.const 2)) (local.get $o))
            (call $ld (local.get $s) (i32.add (local.get $r) (i32.const 3)) (local.get $o))
            (call $ld (local.get $s) (i32.add (local.get $r) (i32.const 4)) (local.get $o))
            (call $ld (local.get $s) (i32.add (local.get $r) (i32.const 5)) (local.get $o)))
          (local.set $r (i32.add (local.get $r) (i32.const 6)))
          (br $along)))
        (local.set $c (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $c) (i32.const 6)))
          (call $bt6
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 36)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 42)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 48)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 54)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 60)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 66)) (local.get $o))
            (v128.load (call $tmp (local.get $s) (local.get $c)))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 6))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 12))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 18))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 24))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 30)))))
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
      (call $planeRows36 (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 6 plane rows (6 → 4 values), then down the 4 columns.
        (local.set $r (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $r) (i32.const 6)))
          (call $at6
            (call $tmp (local.get $s) (i32.shl (local.get $r) (i32.const 2)))
            (call $tmp (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 1)))
            (call $tmp (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 2)))
            (call $tmp (local.get $s) (i32.add (i32.shl (local.get $r) (i32.const 2)) (i32.const 3)))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 36)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 37)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 38)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 39)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 40)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.mul (local.get $r) (i32.const 6)) (i32.const 41)) (local.get $o)))
          (local.set $r (i32.add (local.get $r) (i32.const 1)))
          (br $along)))
        (local.set $i (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $at6
            (call $ad (local.get $s) (local.get $i) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $i) (i32.const 4)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $i) (i32.const 8)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $i) (i32.const 12)) (local.get $o))
            (v128.load (call $tmp (local.get $s) (local.get $i)))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $i) (i32.const 4))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $i) (i32.const 8))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $i) (i32.const 12))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $i) (i32.const 16))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $i) (i32.const 20)))))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $down)))
        (local.set $o (i32.add (local.get $o) (i32.const 16)))
        (br $channels)))
      (local.set $t (i32.add (local.get $t) (i32.const 1)))
      (br $tiles))))

  ;; Stores A·d of F(4×4, 3×3) at $p0 … $p5: (d0, d0 + d1 + d2 + d3, d0 − d1 + d2 − d3,
  ;; d0 + 2d1 + 4d2 + 8d3, d0 − 2d1 + 4d2 − 8d3, d3).
  (func $a4 (param $p0 i32) (param $p1 i32) (param $p2 i32) (param $p3 i32) (param $p4 i32)
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
      (call $planeRows36 (local.get $s) (i32.mul (i32.sub (local.get $t) (local.get $t0)) (local.get $bytes)))
      (local.set $o (i32.const 0))
      (block $ch_done (loop $channels
        (br_if $ch_done (i32.ge_u (local.get $o) (local.get $bytes)))
        ;; Along each of the 4 rows (4 → 6 values), then down the 6 columns into the planes.
        (local.set $i (i32.const 0))
        (block $a_done (loop $along
          (br_if $a_done (i32.ge_u (local.get $i) (i32.const 4)))
          (call $a4
            (call $tmp (local.get $s) (i32.mul (local.get $i) (i32.const 6)))
            (call $tmp (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 1)))
            (call $tmp (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 2)))
            (call $tmp (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 3)))
            (call $tmp (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 4)))
            (call $tmp (local.get $s) (i32.add (i32.mul (local.get $i) (i32.const 6)) (i32.const 5)))
            (call $ld (local.get $s) (i32.shl (local.get $i) (i32.const 2)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 1)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 2)) (local.get $o))
            (call $ld (local.get $s) (i32.add (i32.shl (local.get $i) (i32.const 2)) (i32.const 3)) (local.get $o)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br $along)))
        (local.set $c (i32.const 0))
        (block $d_done (loop $down
          (br_if $d_done (i32.ge_u (local.get $c) (i32.const 6)))
          (call $a4
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 36)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 42)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 48)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 54)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 60)) (local.get $o))
            (call $ad (local.get $s) (i32.add (local.get $c) (i32.const 66)) (local.get $o))
            (v128.load (call $tmp (local.get $s) (local.get $c)))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 6))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 12))))
            (v128.load (call $tmp (local.get $s) (i32.add (local.get $c) (i32.const 18)))))
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
)
