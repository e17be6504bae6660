import { Matrix, QrDecomposition, SingularValueDecomposition } from 'ml-matrix';

/**
 * The R factor of a tall matrix's thin QR, accumulated block by block (a streaming TSQR):
 * R of [R_prev; X_block] is the R of everything seen so far, so memory stays n x n (plus
 * one block) however many rows arrive. The singular values of X are those of R, computed
 * without forming XᵀX, whose squared condition number loses half the digits.
 */
export class StreamingR {
  private r: Matrix | null = null;
  /** Rows per QR step: big enough to amortise the work, small enough to bound memory. */
  private static readonly CHUNK = 4096;
  constructor(readonly n: number) {}

  /** Adds `rows` rows (row-major, n columns each). */
  add(data: ArrayLike<number>, rows: number): void {
    for (let start = 0; start < rows; start += StreamingR.CHUNK) {
      const end = Math.min(rows, start + StreamingR.CHUNK);
      const prev = this.r?.rows ?? 0;
      const m = new Matrix(prev + end - start, this.n);
      if (this.r) m.setSubMatrix(this.r, 0, 0);
      for (let i = start; i < end; i++) for (let j = 0; j < this.n; j++) m.set(prev + i - start, j, data[i * this.n + j]);
      this.r = upperTriangle(m, this.n);
    }
  }

  /** Singular values of all rows added, largest first (empty before any). */
  singularValues(): number[] {
    if (!this.r) return [];
    const svd = new SingularValueDecomposition(this.r, { computeLeftSingularVectors: false, computeRightSingularVectors: false, autoTranspose: true });
    return [...svd.diagonal].sort((a, b) => b - a);
  }
}

/** The min(rows, n) x n upper triangle R of m's QR. */
function upperTriangle(m: Matrix, n: number): Matrix {
  const r = new QrDecomposition(m).upperTriangularMatrix;
  return r.rows > Math.min(m.rows, n) ? r.subMatrix(0, Math.min(m.rows, n) - 1, 0, n - 1) : r;
}

/**
 * σmax / σmin. Infinite when the matrix is exactly rank-deficient (dead units: a zero
 * column), or when it has fewer rows than columns.
 */
export function conditionNumber(singular: number[], n: number): number {
  if (singular.length < n) return Infinity;
  const max = singular[0];
  const min = singular[singular.length - 1];
  if (!(max > 0) || !(min > 0)) return Infinity;
  return max / min;
}

/**
 * Beyond this condition number a float32 representation no longer tells its smallest
 * singular value from rounding: each activation carries a relative error of up to 2⁻²⁴,
 * so σmin below about σmax · 2⁻²⁴ · √n is noise. Figures draw it as a limit line.
 */
export function float32ConditionLimit(n: number): number {
  return 2 ** 24 / Math.sqrt(Math.max(1, n));
}

/**
 * What the figures and the data call singular: an infinite condition number, or one past
 * the float32 limit, where σmin cannot be told from rounding and the number means only
 * "rank-deficient as far as float32 can tell".
 */
export function isSingular(condition: number, limit = Infinity): boolean {
  return !(Number.isFinite(condition) && condition <= limit);
}
