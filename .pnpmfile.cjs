// pnpm hooks (pnpm ≥ 10.28). `beforePacking` edits the package.json that `pnpm pack` and
// `pnpm publish` put in a tarball, never the one in the repository.

/**
 * Drops the `@cellshape/source` export condition: inside the workspace it points the tests,
 * scripts and `tsc` at `src/*.ts`, which the tarballs do not ship, so published it would only
 * send a tool that enables the condition to a missing file.
 */
function withoutSourceCondition(exports) {
  if (exports === null || typeof exports !== 'object') return exports;
  if (Array.isArray(exports)) return exports.map(withoutSourceCondition);
  const out = {};
  for (const [key, value] of Object.entries(exports))
    if (key !== '@cellshape/source') out[key] = withoutSourceCondition(value);
  return out;
}

module.exports = {
  hooks: {
    beforePacking(pkg) {
      if (pkg.exports !== undefined) pkg.exports = withoutSourceCondition(pkg.exports);
      return pkg;
    },
  },
};
