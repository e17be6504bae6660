/** Eigenvalues of a symmetric matrix (row-major n x n), by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, n: number, maxSweeps = 60): number[] {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < maxSweeps; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p * n + q] ** 2;
    if (off < 1e-22 * (1 + Math.abs(m[0]))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (Math.abs(apq) < 1e-300) continue;
        const app = m[p * n + p];
        const aqq = m[q * n + q];
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p];
          const akq = m[k * n + q];
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k];
          const aqk = m[q * n + k];
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Array.from({ length: n }, (_, i) => m[i * n + i]).sort((x, y) => x - y);
}

/**
 * Condition number of a representation matrix X (samples x units) from its Gram matrix
 * XᵀX: σmax / σmin = sqrt(λmax / λmin). Infinite when X is rank-deficient (dead units).
 */
export function conditionFromGram(gram: Float64Array, n: number): number {
  const ev = symmetricEigenvalues(gram, n);
  const max = ev[ev.length - 1];
  const min = ev[0];
  if (max <= 0) return Infinity;
  if (min <= max * 1e-14) return Infinity;
  return Math.sqrt(max / min);
}
