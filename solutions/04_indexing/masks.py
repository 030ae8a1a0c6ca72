"""Boolean masks: choosing elements by a condition instead of by position.

Comparing a tensor with a number compares every element and gives a tensor of the same shape
with dtype torch.bool, a mask:

    x = torch.tensor([[0, 1, 2, 3],
                      [4, 5, 6, 7]])
    mask = x > 3        # tensor([[False, False, False, False],
                        #         [ True,  True,  True,  True]])

A mask can do three jobs.

Select. Put it in the brackets and you get the elements where it is True: x[mask] is
tensor([4, 5, 6, 7]). The result is always 1-D, whatever x's shape, because the rows may keep
different numbers of elements; the elements come in the order x.flatten() lists them. Like
any advanced indexing, this copies.

Count. True counts as 1 and False as 0, so mask.sum(dim=1) says how many elements of each row
passed the test. The count of a bool tensor is an integer (int64), and a mask itself stays
bool until you turn it into numbers on purpose.

Replace. Assigning through a mask, out[mask] = v, or out.masked_fill(mask, v), writes v where
the mask is True and leaves every other element alone. Do it on a copy unless you really
mean to change the input.

The last job appears in every language model. When a model predicts token i it may look at
tokens 0..i but not at later ones, so in a (T, T) table of attention scores, row i = the
query, column j = the key, every entry with j > i belongs to the future. That is the strict
upper triangle:

    torch.ones(4, 4, dtype=torch.bool).triu(diagonal=1)
    # [[F, T, T, T],
    #  [F, F, T, T],
    #  [F, F, F, T],
    #  [F, F, F, F]]

Filling those scores with -inf before the softmax gives them weight exp(-inf) = 0 exactly:
the future cannot leak into the prediction, and no gradient flows into the hidden scores.
"""
import torch


def values_above(x: torch.Tensor, threshold) -> torch.Tensor:
    """The elements of x that are strictly greater than `threshold`.

    Args:
        x: a tensor of any shape and any real dtype.
        threshold: a Python number.

    Returns:
        A 1-D tensor of length K, the number of elements above the threshold (K may be 0),
        holding them in the order x.flatten() would list them. Same dtype and device as x;
        differentiable with respect to x. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Build the mask first: comparing x with a number compares every element.
    # hint: x[x > threshold] selects exactly the True places, flattened to 1-D. Mind the
    #   strict '>': an element equal to the threshold stays out.
    return x[x > threshold]
    # END SOLUTION


def count_above(x: torch.Tensor, threshold) -> torch.Tensor:
    """How many elements of each row of x are strictly greater than `threshold`.

    Args:
        x: (N, M) tensor of any real dtype.
        threshold: a Python number.

    Returns:
        (N,) int64 tensor on x's device: entry i counts the elements of row i above the
        threshold. x is not modified.

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Make the mask, then reduce it along the dim that holds one row's elements.
    # hint: (x > threshold).sum(dim=1) counts the True values per row; summing a bool
    #   tensor already gives int64.
    return (x > threshold).sum(dim=1)
    # END SOLUTION


def replace_masked(x: torch.Tensor, mask: torch.Tensor, value) -> torch.Tensor:
    """A copy of x with `value` wherever mask is True.

    Args:
        x: a tensor of any shape and any real dtype.
        mask: a bool tensor of x's shape.
        value: a Python number that x's dtype can hold.

    Returns:
        A new tensor of x's shape, dtype and device: `value` where mask is True and x's own
        element where it is False, even when that masked-out element is inf or NaN. The
        gradient with respect to x is 1 where the mask is False and 0 where it is True.
        Neither x nor mask is modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Work on a copy of x, never on x: x is the caller's tensor.
    # hint: x.masked_fill(mask, value) returns a filled copy in one call (or clone x and
    #   assign out[mask] = value). Multiplying by the mask would turn an inf into NaN.
    return x.masked_fill(mask, value)
    # END SOLUTION


def causal_mask(size: int, device) -> torch.Tensor:
    """The mask of future positions for `size` tokens.

    Args:
        size: the number of positions T, size >= 0.
        device: the torch.device to build the mask on.

    Returns:
        (T, T) bool tensor on `device` with out[i, j] True exactly when j > i: the keys
        that query i must not see. The diagonal is False (a token may look at itself).

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: The True places form the triangle above the diagonal; torch.triu keeps an upper
    #   triangle, and its `diagonal` argument says where the triangle starts.
    # hint: torch.ones(size, size, dtype=torch.bool, device=device).triu(diagonal=1) is bool
    #   from the start and already on the right device.
    return torch.ones(size, size, dtype=torch.bool, device=device).triu(diagonal=1)
    # END SOLUTION


def mask_future(scores: torch.Tensor) -> torch.Tensor:
    """Attention scores with every future position set to -inf.

    Args:
        scores: (..., T, T) floating-point tensor; scores[..., i, j] is how much query i
            attends to key j. Any number of leading (batch, head) dims, T >= 0.

    Returns:
        A new tensor of scores' shape, dtype and device, equal to scores except that every
        entry with j > i is -inf (float('-inf'), not a large negative number). The gradient
        with respect to scores is 0 at those entries and passes unchanged everywhere else.
        scores is not modified.

    Loops: not allowed.
    Dtype: same as scores (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Build one (T, T) mask of the future on scores' device (your causal_mask does
    #   exactly that) and let broadcasting apply it to every leading dim.
    # hint: scores.masked_fill(mask, float('-inf')) returns the filled copy. Adding
    #   mask * float('-inf') instead would give 0 * -inf = NaN on the allowed entries.
    size = scores.shape[-1]
    future = torch.ones(size, size, dtype=torch.bool, device=scores.device).triu(diagonal=1)
    return scores.masked_fill(future, float("-inf"))
    # END SOLUTION
