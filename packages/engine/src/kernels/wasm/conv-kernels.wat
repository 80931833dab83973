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
)
