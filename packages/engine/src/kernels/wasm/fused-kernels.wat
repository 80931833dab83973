;; The fused elementwise kernels of the engine's batch norm and of the activation → batch norm →
;; 2×2 max-pool → dropout block (kernels/fused), in WebAssembly SIMD, run on the memory of
;; tfjs's threaded wasm backend itself (no copies), by the main thread and the kernel worker
;; thread on disjoint row ranges. Data is channels-last, rows of $C float32 channels ($C a
;; multiple of 4); pointers are byte offsets into that memory. The activation is
;; a(v) = v > 0 ? v : s·v with the slope s (1: none, 0: ReLU, α: LeakyReLU); its derivative is
;; 1 above zero and s elsewhere (PyTorch's: ReLU's gradient at 0 is 0). Channel sums are
;; accumulated in float64, per chunk of rows (written, never added to, so that a row range
;; computed twice gives the same values), and summed over chunks in order by the caller.
;; `@cellshape/engine` compiles this file with wabt (`pnpm --filter @cellshape/engine
;; build:wasm`) into fused-kernels-wasm.ts; a test checks the two agree.
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; Rows per block of the channel sums (a block stays in the L1 cache while each channel
  ;; quad is summed over it in registers).
  (global $BLOCK i32 (i32.const 64))

  ;; Hot loops spell the activation out (v > 0 ? v : s·v as a bitselect on v > 0): V8 does not
  ;; inline wasm calls (Node 20), and a call per quad costs as much as the arithmetic.

  ;; Adds the float32 quad $v, as float64, to the four values at $at.
  (func $addTo (param $at i32) (param $v v128)
    (v128.store (local.get $at)
      (f64x2.add (v128.load (local.get $at)) (f64x2.promote_low_f32x4 (local.get $v))))
    (v128.store offset=16 (local.get $at)
      (f64x2.add (v128.load offset=16 (local.get $at)) (f64x2.promote_low_f32x4
        (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $v) (local.get $v))))))

  ;; Zeroes $n bytes (a multiple of 16) at $at.
  (func $zero (param $at i32) (param $n i32)
    (local $end i32)
    (local.set $end (i32.add (local.get $at) (local.get $n)))
    (block $done (loop $z
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (v128.store (local.get $at) (v128.const i32x4 0 0 0 0))
      (local.set $at (i32.add (local.get $at) (i32.const 16)))
      (br $z))))

;; Channel sums of the rows [$r0, $r1) of $x [R, $C] plus the per-channel $bias, v = x + bias,
  ;; into the chunk $r0 / $chunk of $out (4·$C float64 per chunk: S1, S2, S3, S4): with
  ;; $withW = 0, S1 = Σ a(v) and S2 = Σ a(v)²; with $withW = 1, S1 = Σ w and S2 = Σ w·a(v) for
  ;; $w [R, $C] (a gradient); always S3 = Σ a'(v) and S4 = Σ a'(v)·a(v) (for the gradient of
  ;; the bias). Each block of rows is summed in float32 registers, the blocks in float64.
  (func (export "sums") (param $x i32) (param $w i32) (param $bias i32) (param $C i32)
    (param $chunk i32) (param $r0 i32) (param $r1 i32) (param $slope f32) (param $withW i32)
    (param $out i32)
    (local $s v128) (local $bytes i32) (local $base i32) (local $b i32) (local $e i32)
    (local $q i32) (local $at i32) (local $end i32) (local $v v128) (local $a v128) (local $p v128)
    (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $s4 v128) (local $d v128)
    (local $bq v128) (local $up v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $base (i32.add (local.get $out)
      (i32.mul (i32.div_u (local.get $r0) (local.get $chunk)) (i32.shl (local.get $C) (i32.const 5)))))
    (call $zero (local.get $base) (i32.shl (local.get $C) (i32.const 5)))
    (local.set $b (local.get $r0))
    (block $blocks_done (loop $blocks
      (br_if $blocks_done (i32.ge_u (local.get $b) (local.get $r1)))
      (local.set $e (select (local.get $r1) (i32.add (local.get $b) (global.get $BLOCK))
        (i32.lt_u (i32.sub (local.get $r1) (local.get $b)) (global.get $BLOCK))))
      (local.set $q (i32.const 0))
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $q) (local.get $bytes)))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $s4 (v128.const i32x4 0 0 0 0))
        (local.set $bq (v128.load (i32.add (local.get $bias) (local.get $q))))
        (local.set $at (i32.add (i32.mul (local.get $b) (local.get $bytes)) (local.get $q)))
        (local.set $end (i32.add (i32.mul (local.get $e) (local.get $bytes)) (local.get $q)))
        (block $rows_done (loop $rows
          (br_if $rows_done (i32.ge_u (local.get $at) (local.get $end)))
          (local.set $v (f32x4.add (v128.load (i32.add (local.get $x) (local.get $at))) (local.get $bq)))
          (local.set $up (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
          (local.set $a (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s))
            (local.get $up)))
          (local.set $d (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $s) (local.get $up)))
          (local.set $p (if (result v128) (local.get $withW)
            (then (v128.load (i32.add (local.get $w) (local.get $at))))
            (else (local.get $a))))
          (local.set $s1 (f32x4.add (local.get $s1) (local.get $p)))
          (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $p) (local.get $a))))
          (local.set $s3 (f32x4.add (local.get $s3) (local.get $d)))
          (local.set $s4 (f32x4.add (local.get $s4) (f32x4.mul (local.get $d) (local.get $a))))
          (local.set $at (i32.add (local.get $at) (local.get $bytes)))
          (br $rows)))
        ;; channel q/4 → S_j at base + 8C·(j − 1) + 2q
        (local.set $at (i32.add (local.get $base) (i32.shl (local.get $q) (i32.const 1))))
        (call $addTo (local.get $at) (local.get $s1))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $bytes) (i32.const 1))))
        (call $addTo (local.get $at) (local.get $s2))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $bytes) (i32.const 1))))
        (call $addTo (local.get $at) (local.get $s3))
        (local.set $at (i32.add (local.get $at) (i32.shl (local.get $bytes) (i32.const 1))))
        (call $addTo (local.get $at) (local.get $s4))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $quads)))
      (local.set $b (local.get $e))
      (br $blocks))))

  ;; Rows [$r0, $r1) of y = b(a(x)·k + c0) per channel ($k, $c0: [$C] float32), b the activation
  ;; of slope $post after the normalisation (1: none).
  (func (export "normalise") (param $x i32) (param $C i32) (param $r0 i32) (param $r1 i32)
    (param $slope f32) (param $post f32) (param $k i32) (param $c0 i32) (param $y i32)
    (local $s v128) (local $t v128) (local $bytes i32) (local $at i32) (local $end i32) (local $q i32)
    (local $v v128) (local $z v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $t (f32x4.splat (local.get $post)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $at (i32.mul (local.get $r0) (local.get $bytes)))
    (local.set $end (i32.mul (local.get $r1) (local.get $bytes)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $q (i32.const 0))
      (block $row_done (loop $quads
        (br_if $row_done (i32.ge_u (local.get $q) (local.get $bytes)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
        (local.set $z (f32x4.add
          (f32x4.mul
            (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s))
              (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
            (v128.load (i32.add (local.get $k) (local.get $q))))
          (v128.load (i32.add (local.get $c0) (local.get $q)))))
        (v128.store (i32.add (local.get $y) (local.get $at))
          (v128.bitselect (local.get $z) (f32x4.mul (local.get $z) (local.get $t))
            (f32x4.gt (local.get $z) (v128.const f32x4 0 0 0 0))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $quads)))
      (br $rows))))

  ;; Rows [$r0, $r1) of the input gradient dx = a'(x)·(k·dy + c1·a(x) + c0) per channel.
  (func (export "normaliseGrad") (param $x i32) (param $dy i32) (param $C i32) (param $r0 i32)
    (param $r1 i32) (param $slope f32) (param $k i32) (param $c1 i32) (param $c0 i32)
    (param $dx i32)
    (local $s v128) (local $bytes i32) (local $at i32) (local $end i32) (local $q i32)
    (local $v v128) (local $pos v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $at (i32.mul (local.get $r0) (local.get $bytes)))
    (local.set $end (i32.mul (local.get $r1) (local.get $bytes)))
    (block $done (loop $rows
      (br_if $done (i32.ge_u (local.get $at) (local.get $end)))
      (local.set $q (i32.const 0))
      (block $row_done (loop $quads
        (br_if $row_done (i32.ge_u (local.get $q) (local.get $bytes)))
        (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
        (local.set $pos (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
        (v128.store (i32.add (local.get $dx) (local.get $at))
          (f32x4.mul (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $s) (local.get $pos))
            (f32x4.add
              (f32x4.add
                (f32x4.mul (v128.load (i32.add (local.get $k) (local.get $q)))
                  (v128.load (i32.add (local.get $dy) (local.get $at))))
                (f32x4.mul (v128.load (i32.add (local.get $c1) (local.get $q)))
                  (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (local.get $pos))))
              (v128.load (i32.add (local.get $c0) (local.get $q))))))
        (local.set $at (i32.add (local.get $at) (i32.const 16)))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $quads)))
      (br $rows))))

  ;; Output rows [$r0, $r1) (rows of B·H/2, each two input rows of $W positions) of
  ;; y = dropout(maxPool2x2(a(x + bias)·k + c0)): the window's first maximum (row-major, as PyTorch),
  ;; times $keepScale where the mask keeps it, else 0. Each output's code byte is the window
  ;; position of its maximum (0–3) plus 4 when dropped. The dropout mask of output element e is
  ;; a hash of (e, seed): murmur3's finaliser of e·0x9E3779B1 xor seed, kept when its top 24
  ;; bits are ≥ $threshold (kernels/fused/dropout-mask.ts is the same in JavaScript).
  (func (export "poolForward") (param $x i32) (param $C i32) (param $W i32) (param $bias i32)
    (param $r0 i32)
    (param $r1 i32) (param $slope f32) (param $k i32) (param $c0 i32) (param $threshold i32)
    (param $keepScale f32) (param $seed i32) (param $y i32) (param $codes i32)
    (local $s v128) (local $bytes i32) (local $rowBytes i32) (local $r i32) (local $ox i32)
    (local $oW i32) (local $p i32) (local $q i32) (local $e i32) (local $sc v128) (local $sh v128)
    (local $v v128) (local $m v128) (local $idx v128) (local $mask v128) (local $keep v128)
    (local $seedV v128) (local $thrV v128) (local $ks v128) (local $code v128) (local $h v128)
    (local $bq v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $seedV (i32x4.splat (local.get $seed)))
    (local.set $thrV (i32x4.splat (local.get $threshold)))
    (local.set $ks (f32x4.splat (local.get $keepScale)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $bytes)))
    (local.set $oW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $r (local.get $r0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $e (i32.mul (i32.mul (local.get $r) (local.get $oW)) (local.get $C)))
      (local.set $ox (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $ox) (local.get $oW)))
        (local.set $p (i32.add (local.get $x) (i32.add
          (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes))
          (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $bytes)))))
        (local.set $q (i32.const 0))
        (block $quads_done (loop $quads
          (br_if $quads_done (i32.ge_u (local.get $q) (local.get $bytes)))
          (local.set $sc (v128.load (i32.add (local.get $k) (local.get $q))))
          (local.set $sh (v128.load (i32.add (local.get $c0) (local.get $q))))
          (local.set $bq (v128.load (i32.add (local.get $bias) (local.get $q))))
          (local.set $v (f32x4.add (v128.load (local.get $p)) (local.get $bq)))
          (local.set $m (f32x4.add (f32x4.mul (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))) (local.get $sc)) (local.get $sh)))
          (local.set $idx (v128.const i32x4 0 0 0 0))
          (local.set $v (f32x4.add (v128.load (i32.add (local.get $p) (local.get $bytes))) (local.get $bq)))
          (local.set $v (f32x4.add (f32x4.mul (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))) (local.get $sc)) (local.get $sh)))
          (local.set $mask (f32x4.gt (local.get $v) (local.get $m)))
          (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $mask)))
          (local.set $idx (v128.bitselect (v128.const i32x4 1 1 1 1) (local.get $idx) (local.get $mask)))
          (local.set $v (f32x4.add (v128.load (i32.add (local.get $p) (local.get $rowBytes))) (local.get $bq)))
          (local.set $v (f32x4.add (f32x4.mul (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))) (local.get $sc)) (local.get $sh)))
          (local.set $mask (f32x4.gt (local.get $v) (local.get $m)))
          (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $mask)))
          (local.set $idx (v128.bitselect (v128.const i32x4 2 2 2 2) (local.get $idx) (local.get $mask)))
          (local.set $v (f32x4.add (v128.load (i32.add (i32.add (local.get $p) (local.get $rowBytes)) (local.get $bytes))) (local.get $bq)))
          (local.set $v (f32x4.add (f32x4.mul (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0))) (local.get $sc)) (local.get $sh)))
          (local.set $mask (f32x4.gt (local.get $v) (local.get $m)))
          (local.set $m (v128.bitselect (local.get $v) (local.get $m) (local.get $mask)))
          (local.set $idx (v128.bitselect (v128.const i32x4 3 3 3 3) (local.get $idx) (local.get $mask)))
          (local.set $h (v128.xor (local.get $seedV)
            (i32x4.mul (i32x4.add (i32x4.splat (local.get $e)) (v128.const i32x4 0 1 2 3))
              (v128.const i32x4 0x9E3779B1 0x9E3779B1 0x9E3779B1 0x9E3779B1))))
          (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
          (local.set $h (i32x4.mul (local.get $h)
            (v128.const i32x4 0x85EBCA6B 0x85EBCA6B 0x85EBCA6B 0x85EBCA6B)))
          (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 13))))
          (local.set $h (i32x4.mul (local.get $h)
            (v128.const i32x4 0xC2B2AE35 0xC2B2AE35 0xC2B2AE35 0xC2B2AE35)))
          (local.set $h (v128.xor (local.get $h) (i32x4.shr_u (local.get $h) (i32.const 16))))
          (local.set $keep (i32x4.ge_s (i32x4.shr_u (local.get $h) (i32.const 8)) (local.get $thrV)))
          (v128.store (i32.add (local.get $y) (i32.shl (local.get $e) (i32.const 2)))
            (v128.and (f32x4.mul (local.get $m) (local.get $ks)) (local.get $keep)))
          (local.set $code (v128.or (local.get $idx)
            (v128.andnot (v128.const i32x4 4 4 4 4) (local.get $keep))))
          (local.set $code (i16x8.narrow_i32x4_u (local.get $code) (local.get $code)))
          (v128.store32_lane 0 (i32.add (local.get $codes) (local.get $e))
            (i8x16.narrow_i16x8_u (local.get $code) (local.get $code)))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $quads)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Channel sums of the pooled block's backward pass over the output rows [$r0, $r1), into the
  ;; chunk $r0 / $chunk of $out: S1 = Σ g, S2 = Σ g·a(v) and S3 = Σ g·a'(v) at each window's
  ;; maximum (v = x + bias; S4 is left 0), with g the batch-norm output gradient, dy·$keepScale at kept outputs (zero at dropped ones and at every other
  ;; window position). Each output row is summed in float32 registers, the rows in float64.
  (func (export "poolSums") (param $x i32) (param $dy i32) (param $codes i32) (param $C i32)
    (param $W i32) (param $bias i32) (param $chunk i32) (param $r0 i32) (param $r1 i32)
    (param $slope f32) (param $keepScale f32) (param $out i32)
    (local $s v128) (local $ks v128) (local $bytes i32) (local $rowBytes i32) (local $oW i32)
    (local $base i32) (local $r i32) (local $q i32) (local $ox i32) (local $e i32) (local $p i32)
    (local $step i32) (local $g v128) (local $v v128) (local $code v128) (local $pos v128)
    (local $s1 v128) (local $s2 v128) (local $s3 v128) (local $bq v128) (local $up v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $ks (f32x4.splat (local.get $keepScale)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $bytes)))
    (local.set $oW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $step (i32.shl (local.get $bytes) (i32.const 1)))
    (local.set $base (i32.add (local.get $out)
      (i32.mul (i32.div_u (local.get $r0) (local.get $chunk)) (i32.shl (local.get $C) (i32.const 5)))))
    (call $zero (local.get $base) (i32.shl (local.get $C) (i32.const 5)))
    (local.set $r (local.get $r0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $q (i32.const 0))
      (block $quads_done (loop $quads
        (br_if $quads_done (i32.ge_u (local.get $q) (local.get $bytes)))
        (local.set $s1 (v128.const i32x4 0 0 0 0))
        (local.set $s2 (v128.const i32x4 0 0 0 0))
        (local.set $s3 (v128.const i32x4 0 0 0 0))
        (local.set $bq (v128.load (i32.add (local.get $bias) (local.get $q))))
        (local.set $e (i32.add (i32.mul (i32.mul (local.get $r) (local.get $oW)) (local.get $C))
          (i32.shr_u (local.get $q) (i32.const 2))))
        (local.set $p (i32.add (local.get $x) (i32.add
          (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes)) (local.get $q))))
        (local.set $ox (i32.const 0))
        (block $cols_done (loop $cols
          (br_if $cols_done (i32.ge_u (local.get $ox) (local.get $oW)))
          (local.set $code (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
            (v128.load32_zero (i32.add (local.get $codes) (local.get $e))))))
          (local.set $pos (v128.and (local.get $code) (v128.const i32x4 3 3 3 3)))
          (local.set $g (v128.and
            (f32x4.mul (v128.load (i32.add (local.get $dy) (i32.shl (local.get $e) (i32.const 2)))) (local.get $ks))
            (i32x4.eq (v128.and (local.get $code) (v128.const i32x4 4 4 4 4)) (v128.const i32x4 0 0 0 0))))
          (local.set $v (v128.load (local.get $p)))
          (local.set $v (v128.bitselect (v128.load (i32.add (local.get $p) (local.get $bytes)))
            (local.get $v) (i32x4.eq (local.get $pos) (v128.const i32x4 1 1 1 1))))
          (local.set $v (v128.bitselect (v128.load (i32.add (local.get $p) (local.get $rowBytes)))
            (local.get $v) (i32x4.eq (local.get $pos) (v128.const i32x4 2 2 2 2))))
          (local.set $v (v128.bitselect
            (v128.load (i32.add (i32.add (local.get $p) (local.get $rowBytes)) (local.get $bytes)))
            (local.get $v) (i32x4.eq (local.get $pos) (v128.const i32x4 3 3 3 3))))
          (local.set $v (f32x4.add (local.get $v) (local.get $bq)))
          (local.set $up (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
          (local.set $s1 (f32x4.add (local.get $s1) (local.get $g)))
          (local.set $s2 (f32x4.add (local.get $s2) (f32x4.mul (local.get $g)
            (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (local.get $up)))))
          (local.set $s3 (f32x4.add (local.get $s3) (f32x4.mul (local.get $g)
            (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $s) (local.get $up)))))
          (local.set $e (i32.add (local.get $e) (local.get $C)))
          (local.set $p (i32.add (local.get $p) (local.get $step)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $cols)))
        (local.set $p (i32.add (local.get $base) (i32.shl (local.get $q) (i32.const 1))))
        (call $addTo (local.get $p) (local.get $s1))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $bytes) (i32.const 1))))
        (call $addTo (local.get $p) (local.get $s2))
        (local.set $p (i32.add (local.get $p) (i32.shl (local.get $bytes) (i32.const 1))))
        (call $addTo (local.get $p) (local.get $s3))
        (local.set $q (i32.add (local.get $q) (i32.const 16)))
        (br $quads)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))

  ;; Output rows [$r0, $r1) of the pooled block's input gradient, every position of each
  ;; window: dx = a'(v)·(k·g + c1·a(v) + c0) per channel (v = x + bias), g as in poolSums at the window's
  ;; maximum and 0 elsewhere.
  (func (export "poolGrad") (param $x i32) (param $dy i32) (param $codes i32) (param $C i32)
    (param $W i32) (param $bias i32) (param $r0 i32) (param $r1 i32) (param $slope f32) (param $keepScale f32)
    (param $k i32) (param $c1 i32) (param $c0 i32) (param $dx i32)
    (local $s v128) (local $ks v128) (local $bytes i32) (local $rowBytes i32) (local $oW i32)
    (local $r i32) (local $ox i32) (local $q i32) (local $e i32) (local $off i32) (local $j i32)
    (local $at i32) (local $code v128) (local $pos v128) (local $g v128) (local $kv v128)
    (local $c1v v128) (local $c0v v128) (local $v v128) (local $up v128) (local $bq v128)
    (local.set $s (f32x4.splat (local.get $slope)))
    (local.set $ks (f32x4.splat (local.get $keepScale)))
    (local.set $bytes (i32.shl (local.get $C) (i32.const 2)))
    (local.set $rowBytes (i32.mul (local.get $W) (local.get $bytes)))
    (local.set $oW (i32.shr_u (local.get $W) (i32.const 1)))
    (local.set $r (local.get $r0))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $r) (local.get $r1)))
      (local.set $e (i32.mul (i32.mul (local.get $r) (local.get $oW)) (local.get $C)))
      (local.set $ox (i32.const 0))
      (block $cols_done (loop $cols
        (br_if $cols_done (i32.ge_u (local.get $ox) (local.get $oW)))
        (local.set $off (i32.add
          (i32.mul (i32.shl (local.get $r) (i32.const 1)) (local.get $rowBytes))
          (i32.mul (i32.shl (local.get $ox) (i32.const 1)) (local.get $bytes))))
        (local.set $q (i32.const 0))
        (block $quads_done (loop $quads
          (br_if $quads_done (i32.ge_u (local.get $q) (local.get $bytes)))
          (local.set $code (i32x4.extend_low_i16x8_u (i16x8.extend_low_i8x16_u
            (v128.load32_zero (i32.add (local.get $codes) (local.get $e))))))
          (local.set $pos (v128.and (local.get $code) (v128.const i32x4 3 3 3 3)))
          (local.set $g (v128.and
            (f32x4.mul (v128.load (i32.add (local.get $dy) (i32.shl (local.get $e) (i32.const 2)))) (local.get $ks))
            (i32x4.eq (v128.and (local.get $code) (v128.const i32x4 4 4 4 4)) (v128.const i32x4 0 0 0 0))))
          (local.set $kv (v128.load (i32.add (local.get $k) (local.get $q))))
          (local.set $c1v (v128.load (i32.add (local.get $c1) (local.get $q))))
          (local.set $c0v (v128.load (i32.add (local.get $c0) (local.get $q))))
          (local.set $bq (v128.load (i32.add (local.get $bias) (local.get $q))))
          ;; the four window positions j = 0…3 (row-major), at off + (j & 1)·bytes + (j >> 1)·rowBytes
          (local.set $j (i32.const 0))
          (block $window_done (loop $window
            (br_if $window_done (i32.ge_u (local.get $j) (i32.const 4)))
            (local.set $at (i32.add (i32.add (local.get $off)
              (i32.mul (i32.and (local.get $j) (i32.const 1)) (local.get $bytes)))
              (i32.mul (i32.shr_u (local.get $j) (i32.const 1)) (local.get $rowBytes))))
            (local.set $v (f32x4.add (v128.load (i32.add (local.get $x) (local.get $at))) (local.get $bq)))
            (local.set $up (f32x4.gt (local.get $v) (v128.const f32x4 0 0 0 0)))
            (v128.store (i32.add (local.get $dx) (local.get $at))
              (f32x4.mul (v128.bitselect (v128.const f32x4 1 1 1 1) (local.get $s) (local.get $up))
                (f32x4.add (f32x4.add
                  (f32x4.mul (local.get $kv) (v128.and (local.get $g)
                    (i32x4.eq (local.get $pos) (i32x4.splat (local.get $j)))))
                  (f32x4.mul (local.get $c1v)
                    (v128.bitselect (local.get $v) (f32x4.mul (local.get $v) (local.get $s)) (local.get $up))))
                  (local.get $c0v))))
            (local.set $j (i32.add (local.get $j) (i32.const 1)))
            (br $window)))
          (local.set $e (i32.add (local.get $e) (i32.const 4)))
          (local.set $off (i32.add (local.get $off) (i32.const 16)))
          (local.set $q (i32.add (local.get $q) (i32.const 16)))
          (br $quads)))
        (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
        (br $cols)))
      (local.set $r (i32.add (local.get $r) (i32.const 1)))
      (br $rows))))
)
