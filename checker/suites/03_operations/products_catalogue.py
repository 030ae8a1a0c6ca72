"""Mistake catalogue for 03_operations/products: plausible wrong answers the suite must reject,
and correct alternatives it must accept. Each entry replaces one name of a fresh copy of the
reference; `kata validate` grades every entry."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# --- dot --------------------------------------------------------------------------------------

@catalogue.mistake("dot multiplies but never adds up: a vector instead of one number",
                   hint="sum the elementwise products")
def dot(u, v):
    return u * v


@catalogue.mistake("dot sums with keepdim=True: shape (1,) instead of ()", hint="a plain .sum() gives a 0-dim tensor")
def dot(u, v):
    return (u * v).sum(dim=0, keepdim=True)


@catalogue.mistake("dot uses the @ operator", expect="forbidden-op", hint="build it from * and sum")
def dot(u, v):
    return u @ v


@catalogue.mistake("dot calls torch.dot", expect="forbidden-op", hint="build it from * and sum")
def dot(u, v):
    return torch.dot(u, v)


@catalogue.mistake("dot adds up u[i] * v[i] in a Python loop", expect="not-vectorised",
                   hint="one elementwise product and one sum do every entry at once")
def dot(u, v):
    if u.shape[0] == 0:        # empty inputs handled, so that the loop itself is what fails
        return ref.dot(u, v)
    total = u[0] * v[0]
    for i in range(1, u.shape[0]):
        total = total + u[i] * v[i]
    return total


@catalogue.mistake("dot multiplies the two sums instead of summing the products",
                   hint="multiply entry by entry first, then add")
def dot(u, v):
    return u.sum() * v.sum()


@catalogue.mistake("dot computes in float32 'for accuracy': half inputs come back float32", hint="keep u's dtype")
def dot(u, v):
    return (u.float() * v.float()).sum()


# --- matvec -----------------------------------------------------------------------------------

@catalogue.mistake("matvec uses * instead of @: v is broadcast against every row", hint="A @ v")
def matvec(A, v):
    return A * v


@catalogue.mistake("matvec puts the vector first, v @ A", hint="A on the left: (m, n) @ (n,)")
def matvec(A, v):
    return v @ A


@catalogue.mistake("matvec turns v into a column: an (m, 1) result", hint="keep v one-dimensional")
def matvec(A, v):
    return A @ v.unsqueeze(1)


@catalogue.mistake("matvec multiplies by the transpose, A.T @ v", hint="A @ v: one dot product per row of A")
def matvec(A, v):
    return A.T @ v


@catalogue.mistake("matvec takes one dot product per row in a Python loop", expect="not-vectorised",
                   hint="A @ v does every row at once")
def matvec(A, v):
    return torch.stack([row @ v for row in A]) if A.shape[0] else ref.matvec(A, v)


@catalogue.mistake("matvec calls torch.mm, which only takes matrices", hint="@ (or torch.mv) takes a vector")
def matvec(A, v):
    return torch.mm(A, v)


# --- batched_matmul ---------------------------------------------------------------------------

@catalogue.mistake("batched_matmul calls torch.mm, which only takes 2-D matrices",
                   hint="@ or torch.bmm multiply batches")
def batched_matmul(A, B):
    return torch.mm(A, B)


@catalogue.mistake("batched_matmul loops over the batch", expect="not-vectorised",
                   hint="@ on 3-D tensors multiplies every batch entry at once")
def batched_matmul(A, B):
    return torch.stack([a @ b for a, b in zip(A, B)])


@catalogue.mistake("batched_matmul multiplies in the wrong order, B @ A", hint="A[i] @ B[i]: A on the left")
def batched_matmul(A, B):
    return B @ A


@catalogue.mistake("batched_matmul transposes B first", hint="B is already (b, n, p): A @ B")
def batched_matmul(A, B):
    return A @ B.transpose(1, 2)


@catalogue.mistake("batched_matmul multiplies every batch entry by the first B", hint="pair A[i] with B[i]")
def batched_matmul(A, B):
    return A @ B[:1]


# --- outer ------------------------------------------------------------------------------------

@catalogue.mistake("outer multiplies u * v directly: elementwise, not every pair",
                   hint="make u a column and v a row first")
def outer(u, v):
    return u * v


@catalogue.mistake("outer makes v the column and u the row: the transpose",
                   hint="out[i, j] = u[i] * v[j]: u runs down the rows")
def outer(u, v):
    return u[None, :] * v[:, None]


@catalogue.mistake("outer adds instead of multiplying", hint="u[:, None] * v[None, :]")
def outer(u, v):
    return u[:, None] + v[None, :]


@catalogue.mistake("outer multiplies a column by a row with @", expect="forbidden-op",
                   hint="broadcasting * does the same without a matrix product")
def outer(u, v):
    return u.unsqueeze(1) @ v.unsqueeze(0)


@catalogue.mistake("outer calls torch.outer", expect="forbidden-op", hint="build it by broadcasting")
def outer(u, v):
    return torch.outer(u, v)


@catalogue.mistake("outer builds one row per u[i] in a Python loop", expect="not-vectorised",
                   hint="broadcasting builds every row at once")
def outer(u, v):
    return torch.stack([ui * v for ui in u]) if u.shape[0] else ref.outer(u, v)


# --- matmul_by_broadcasting -------------------------------------------------------------------

@catalogue.mistake("matmul_by_broadcasting indexes axes from the front: works for matrices, not batches",
                   hint="count axes from the end (unsqueeze(-1), unsqueeze(-3), sum(-2)) so batch dims come along")
def matmul_by_broadcasting(A, B):
    return (A[:, :, None] * B[None, :, :]).sum(dim=1)


@catalogue.mistake("matmul_by_broadcasting sums over the wrong axis", hint="the shared n axis is dim -2 of the product")
def matmul_by_broadcasting(A, B):
    return (A.unsqueeze(-1) * B.unsqueeze(-3)).sum(dim=-1)


@catalogue.mistake("matmul_by_broadcasting keeps the summed axis: (..., m, 1, p)", hint="drop keepdim=True")
def matmul_by_broadcasting(A, B):
    return (A.unsqueeze(-1) * B.unsqueeze(-3)).sum(dim=-2, keepdim=True)


@catalogue.mistake("matmul_by_broadcasting uses the elementwise product A * B", hint="every row of A meets every column of B")
def matmul_by_broadcasting(A, B):
    return A * B


@catalogue.mistake("matmul_by_broadcasting falls back on @", expect="forbidden-op",
                   hint="build it from unsqueeze, * and sum")
def matmul_by_broadcasting(A, B):
    return A @ B


@catalogue.mistake("matmul_by_broadcasting uses torch.einsum", expect="forbidden-op",
                   hint="build it from unsqueeze, * and sum")
def matmul_by_broadcasting(A, B):
    return torch.einsum("...ij,...jk->...ik", A, B)


@catalogue.mistake("matmul_by_broadcasting takes one row of A at a time in a Python loop", expect="not-vectorised",
                   hint="broadcast over the rows too: A.unsqueeze(-1) holds every row at once")
def matmul_by_broadcasting(A, B):
    rows = [(A[..., i, :, None] * B).sum(dim=-2) for i in range(A.shape[-2])]
    return torch.stack(rows, dim=-2) if rows else ref.matmul_by_broadcasting(A, B)


# --- correct alternatives ---------------------------------------------------------------------

@catalogue.alternative("dot with torch.mul and torch.sum over dim 0")
def dot(u, v):
    return torch.sum(torch.mul(u, v), dim=0)


@catalogue.alternative("matvec as a broadcast product summed over each row")
def matvec(A, v):
    return (A * v).sum(dim=1)


@catalogue.alternative("batched_matmul with torch.einsum")
def batched_matmul(A, B):
    return torch.einsum("bij,bjk->bik", A, B)


@catalogue.alternative("outer with unsqueeze and reshape")
def outer(u, v):
    return u.unsqueeze(1) * v.reshape(1, -1)


@catalogue.alternative("matmul_by_broadcasting against the transpose of B, summing the last axis")
def matmul_by_broadcasting(A, B):
    return (A.unsqueeze(-2) * B.transpose(-1, -2).unsqueeze(-3)).sum(dim=-1)


# --- more mistakes (review) -------------------------------------------------------------------

@catalogue.mistake("dot returns .item(): a Python float, cut from the graph",
                   hint="return the 0-dim tensor itself: (u * v).sum()")
def dot(u, v):
    return (u * v).sum().item()


@catalogue.mistake("dot through Tensor.addmv on a zero vector", expect="forbidden-op",
                   hint="build it from * and sum")
def dot(u, v):
    return u.new_zeros(1).addmv(u[None], v)[0]


@catalogue.mistake("matvec multiplies by a column and squeezes every size-1 dim: one row gives shape ()",
                   hint="squeeze only the column dim (squeeze(-1)), or keep v one-dimensional")
def matvec(A, v):
    return (A @ v.unsqueeze(1)).squeeze()


@catalogue.mistake("matvec multiplies by broadcasting but sums over the rows (dim 0)",
                   hint="entry i adds up row i: sum over the last dim")
def matvec(A, v):
    return (A * v).sum(dim=0)


@catalogue.mistake("outer through Tensor.addr on a zero matrix", expect="forbidden-op",
                   hint="build it by broadcasting: u[:, None] * v[None, :]")
def outer(u, v):
    return u.new_zeros(u.shape[0], v.shape[0]).addr(u, v)


@catalogue.mistake("matmul_by_broadcasting forgets the sum: the (..., m, n, p) products come back",
                   hint="add the products up over the shared n axis: .sum(dim=-2)")
def matmul_by_broadcasting(A, B):
    return A.unsqueeze(-1) * B.unsqueeze(-3)


@catalogue.mistake("matmul_by_broadcasting through Tensor.addmm on zeros", expect="forbidden-op",
                   hint="build it from unsqueeze, * and sum")
def matmul_by_broadcasting(A, B):
    return A.new_zeros(A.shape[-2], B.shape[-1]).addmm(A, B)


@catalogue.mistake("matmul_by_broadcasting through torch.chain_matmul", expect="forbidden-op",
                   hint="build it from unsqueeze, * and sum")
def matmul_by_broadcasting(A, B):
    return torch.chain_matmul(A, B)


# --- more alternatives (review) ---------------------------------------------------------------

@catalogue.alternative("dot in float64, cast back to u's dtype")
def dot(u, v):
    return torch.sum(u.double() * v.double(), dim=-1).to(u.dtype)


@catalogue.alternative("matvec with torch.mv")
def matvec(A, v):
    return torch.mv(A, v)


@catalogue.alternative("matvec through a column and squeeze(-1)")
def matvec(A, v):
    return A.matmul(v[:, None]).squeeze(-1)


@catalogue.alternative("batched_matmul with torch.bmm")
def batched_matmul(A, B):
    return torch.bmm(A, B)


@catalogue.alternative("batched_matmul by broadcasting over the shared axis")
def batched_matmul(A, B):
    return (A[:, :, :, None] * B[:, None, :, :]).sum(dim=2)


@catalogue.alternative("outer with view(-1, 1) times view(1, -1) through torch.mul")
def outer(u, v):
    return torch.mul(u.view(-1, 1), v.view(1, -1))


@catalogue.alternative("matmul_by_broadcasting with None-indexing and a float64 sum cast back")
def matmul_by_broadcasting(A, B):
    product = A.double()[..., :, :, None] * B.double()[..., None, :, :]
    return product.sum(dim=-2).to(A.dtype)
