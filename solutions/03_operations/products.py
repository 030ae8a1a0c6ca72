"""Products: elementwise `*` against matrix `@`.

PyTorch has two multiplications, and mixing them up is the most common shape bug there is.

`a * b` multiplies the numbers that sit in the same place. The shapes must match (or
broadcast), and the result has that shape:

    a = torch.tensor([[1, 2], [3, 4]])
    b = torch.tensor([[10, 20], [30, 40]])
    a * b      # [[10, 40], [90, 160]]: 1*10, 2*20, 3*30, 4*40

`a @ b` is the matrix product of linear algebra: entry (i, k) is row i of a times column k
of b, added up. The inner sizes must agree, (m, n) @ (n, p) -> (m, p), and they disappear:

    m1 = torch.tensor([[1, 2, 3], [4, 5, 6]])          # (2, 3)
    m2 = torch.tensor([[7, 8], [9, 10], [11, 12]])     # (3, 2)
    m1 @ m2    # [[58, 64], [139, 154]]: 1*7 + 2*9 + 3*11 = 58, and so on

The same `@` covers a whole family, told apart by the shapes you give it:

    u @ v        (n,) and (n,)            -> ()         dot product: one number
    A @ v        (m, n) and (n,)          -> (m,)       matrix-vector: one dot per row of A
    A @ B        (m, n) and (n, p)        -> (m, p)     matrix-matrix
    A @ B        (b, m, n) and (b, n, p)  -> (b, m, p)  batched: one product per leading index

and one product that is not a sum at all: the outer product of u (m,) and v (n,) is the
(m, n) table of every u[i] * v[j].

Each `@` product is "multiply, then add up" in disguise. A dot product multiplies the
matching entries and adds them all. A matrix product is a dot product for every pair (row i
of A, column k of B): lay A out along axes (m, n, 1) and B along (1, n, p), multiply
(broadcasting makes an (m, n, p) block of every A[i, j] * B[j, k]), and sum away the shared
axis n. That block costs m * n * p numbers of memory, which is why the real `@` exists, but it
shows exactly what `@` computes. An outer product is the same trick without the sum: u as a
column (m, 1) times v as a row (1, n).

No Python loops in this kata: each function is one or two whole-tensor expressions.
"""
import torch


def dot(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The dot product of two vectors, built from an elementwise product and a sum.

    Args:
        u, v: floating-point tensors of shape (n,), same dtype and device; n may be 0.

    Returns:
        A 0-dim tensor (shape ()), u's dtype and device: the sum of u[i] * v[i], which is
        0 when n is 0. Gradients flow back to u and v; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as u (float16 and bfloat16 included).
    Forbidden: torch.matmul, Tensor.matmul, Tensor.__rmatmul__, torch.linalg.matmul, torch.mm,
        torch.spmm, Tensor.mm, torch.bmm, Tensor.bmm, torch.mv, Tensor.mv, torch.dot,
        Tensor.dot, torch.vdot, Tensor.vdot, torch.inner, Tensor.inner, torch.outer,
        Tensor.outer, torch.ger, Tensor.ger, torch.einsum, torch.functional.einsum,
        torch.tensordot, torch.functional.tensordot, torch.linalg.vecdot,
        torch.linalg.multi_dot, torch.addmm, torch.addmv, torch.addbmm, torch.baddbmm,
        torch.addr, Tensor.addmm, Tensor.addmm_, Tensor.addmv, Tensor.addmv_, Tensor.addbmm,
        Tensor.addbmm_, Tensor.baddbmm, Tensor.baddbmm_, Tensor.addr, Tensor.addr_,
        torch.chain_matmul, torch.smm, torch.hspmm, torch.sspaddmm, F.linear, F.bilinear
        (the products built in: here you build one)
    """
    # BEGIN SOLUTION
    # hint: A dot product multiplies matching entries and adds the results up. Both steps
    #   are one tensor operation each.
    # hint: (u * v).sum() gives a 0-dim tensor; do not turn it into a Python number.
    return (u * v).sum()
    # END SOLUTION


def matvec(A: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The matrix-vector product A @ v.

    Args:
        A: shape (m, n) and v: shape (n,), floating point, same dtype and device. m or n may
            be 0.

    Returns:
        Shape (m,) (not (m, 1)): entry i is the dot product of row i of A with v. A's dtype
        and device; gradients flow back to A and v; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as A (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: The matrix product operator handles a vector on the right: (m, n) @ (n,) gives
    #   (m,). Elementwise A * v would broadcast v against every row instead.
    # hint: return A @ v. Keep v one-dimensional: turning it into an (n, 1) column would
    #   give an (m, 1) result.
    return A @ v
    # END SOLUTION


def batched_matmul(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """One matrix product per batch entry: out[i] = A[i] @ B[i].

    Args:
        A: shape (b, m, n) and B: shape (b, n, p), floating point, same dtype and device.
            Any of the sizes may be 1 or 0.

    Returns:
        Shape (b, m, p), A's dtype and device. Gradients flow back to A and B; the inputs are
        not modified.

    Loops: not allowed.
    Dtype: same as A (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: With three dims, @ treats the first one as a batch and multiplies the last two
    #   of each entry. torch.mm only takes 2-D matrices.
    # hint: return A @ B (torch.bmm(A, B) is the same for 3-D inputs).
    return A @ B
    # END SOLUTION


def outer(u: torch.Tensor, v: torch.Tensor) -> torch.Tensor:
    """The outer product of two vectors, built by broadcasting: out[i, j] = u[i] * v[j].

    Args:
        u: shape (m,) and v: shape (n,), floating point, same dtype and device. m and n may
            differ, and either may be 0.

    Returns:
        Shape (m, n), u's dtype and device. Gradients flow back to u and v; the inputs are
        not modified.

    Loops: not allowed.
    Dtype: same as u (float16 and bfloat16 included).
    Forbidden: torch.matmul, Tensor.matmul, Tensor.__rmatmul__, torch.linalg.matmul, torch.mm,
        torch.spmm, Tensor.mm, torch.bmm, Tensor.bmm, torch.mv, Tensor.mv, torch.dot,
        Tensor.dot, torch.vdot, Tensor.vdot, torch.inner, Tensor.inner, torch.outer,
        Tensor.outer, torch.ger, Tensor.ger, torch.einsum, torch.functional.einsum,
        torch.tensordot, torch.functional.tensordot, torch.linalg.vecdot,
        torch.linalg.multi_dot, torch.addmm, torch.addmv, torch.addbmm, torch.baddbmm,
        torch.addr, Tensor.addmm, Tensor.addmm_, Tensor.addmv, Tensor.addmv_, Tensor.addbmm,
        Tensor.addbmm_, Tensor.baddbmm, Tensor.baddbmm_, Tensor.addr, Tensor.addr_,
        torch.chain_matmul, torch.smm, torch.hspmm, torch.sspaddmm, F.linear, F.bilinear,
        torch.kron, Tensor.kron (the products built in: here you build one)
    """
    # BEGIN SOLUTION
    # hint: Broadcasting stretches size-1 axes. Which shapes must u and v take so that their
    #   elementwise product is (m, n)?
    # hint: u as a column, shape (m, 1), times v as a row, shape (1, n): u[:, None] * v[None, :].
    return u[:, None] * v[None, :]
    # END SOLUTION


def matmul_by_broadcasting(A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
    """The matrix product A @ B, rebuilt from an elementwise product and a sum.

    Args:
        A: shape (..., m, n) and B: shape (..., n, p), floating point, same dtype and
            device, with the same leading (batch) dims: none for plain matrices, or any
            number of them. Any size may be 1 or 0.

    Returns:
        Shape (..., m, p), A's dtype and device: out[..., i, k] is the sum over j of
        A[..., i, j] * B[..., j, k], equal to A @ B up to float rounding (0 where n is 0).
        Gradients flow back to A and B; the inputs are not modified.

    Loops: not allowed.
    Dtype: same as A (float16 and bfloat16 included).
    Forbidden: torch.matmul, Tensor.matmul, Tensor.__rmatmul__, torch.linalg.matmul, torch.mm,
        torch.spmm, Tensor.mm, torch.bmm, Tensor.bmm, torch.mv, Tensor.mv, torch.dot,
        Tensor.dot, torch.vdot, Tensor.vdot, torch.inner, Tensor.inner, torch.outer,
        Tensor.outer, torch.ger, Tensor.ger, torch.einsum, torch.functional.einsum,
        torch.tensordot, torch.functional.tensordot, torch.linalg.vecdot,
        torch.linalg.multi_dot, torch.addmm, torch.addmv, torch.addbmm, torch.baddbmm,
        torch.addr, Tensor.addmm, Tensor.addmm_, Tensor.addmv, Tensor.addmv_, Tensor.addbmm,
        Tensor.addbmm_, Tensor.baddbmm, Tensor.baddbmm_, Tensor.addr, Tensor.addr_,
        torch.chain_matmul, torch.smm, torch.hspmm, torch.sspaddmm, F.linear, F.bilinear
        (the products built in: here you build one)
    """
    # BEGIN SOLUTION
    # hint: Give A a new last axis and B a new axis before its last two, so that A becomes
    #   (..., m, n, 1) and B (..., 1, n, p). Their product is (..., m, n, p).
    # hint: (A.unsqueeze(-1) * B.unsqueeze(-3)).sum(dim=-2): the shared n axis is the one
    #   that is summed away. Count axes from the end so any batch dims just come along.
    return (A.unsqueeze(-1) * B.unsqueeze(-3)).sum(dim=-2)
    # END SOLUTION
