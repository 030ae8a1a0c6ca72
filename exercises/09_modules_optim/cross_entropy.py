# 09_modules_optim/cross_entropy: Cross-entropy from raw logits: stable log-softmax, reductions and ignore_index
# Chapter 09_modules_optim: Modules, optimizers and the training loop
#
# `kata build` generated this file from the kata's reference solution.
# Your job: replace each `raise NotImplementedError(...)` line with your own code. Edit only
# those bodies; the hidden suite calls the names, signatures and docstrings exactly as they are.
#
#   check your work:   pytest exercises/09_modules_optim/cross_entropy.py
#   stuck?             kata hint 09_modules_optim/cross_entropy NAME    (each call shows one more hint)
#   start over:        kata reset 09_modules_optim/cross_entropy   (your current file is backed up first)
#
# Forbidden calls: the checker refuses these at run time, so build the result another way.
#   log_softmax:
#       torch.log_softmax, torch.nn.functional.log_softmax, torch.Tensor.log_softmax,
#       torch.special.log_softmax, torch.nn.LogSoftmax, torch.logsumexp, torch.Tensor.logsumexp,
#       torch.special.logsumexp, torch.nn.functional.cross_entropy, torch.nn.CrossEntropyLoss,
#       torch.nn.functional.nll_loss, torch.nn.NLLLoss
#   cross_entropy:
#       torch.nn.functional.cross_entropy, torch.nn.CrossEntropyLoss,
#       torch.nn.functional.nll_loss, torch.nn.NLLLoss, torch.log_softmax,
#       torch.nn.functional.log_softmax, torch.Tensor.log_softmax, torch.special.log_softmax,
#       torch.nn.LogSoftmax, torch.logsumexp, torch.Tensor.logsumexp, torch.special.logsumexp

"""Cross-entropy from raw logits: the loss every classifier and every language model trains on.

A classifier ends with one score per class, the logits. Softmax would turn them into
probabilities, and the loss for one sample is the negative log of the probability given to the
right class:

    loss = -log softmax(logits)[target] = -(logits[target] - log(sum(exp(logits))))

Confident and right costs almost nothing, confident and wrong costs a lot: with three classes
and logits [2.0, 1.0, 0.1], the probabilities are [0.659, 0.242, 0.099], so target 0 costs
-log(0.659) = 0.417 and target 2 costs -log(0.099) = 2.317. A language model does the same at
every position: logits of shape (B, T, V) against the next token ids, shape (B, T).

Never compute it as log(softmax(logits)). When one logit is far above the rest, the small
probabilities round to exactly 0 and their log is -inf; with logits of 1e4, exp overflows
first. Stay in log space instead. The log-softmax is

    log_softmax(x) = x - m - log(sum(exp(x - m)))      with m = max(x)

where shifting by m changes nothing mathematically, keeps every exponent at or below 0, and
makes the sum at least 1, so the log is always finite.

Two more things real code needs. The batch loss is usually the mean over positions
(reduction="mean"); "sum" adds them up and "none" returns one loss per position. And padded
positions must not count: targets equal to `ignore_index` (default -100) contribute nothing,
and the mean divides by the number of positions that do count, not by all of them. A padded
target such as -100 is not a valid class, so it cannot be used to pick a logit either: replace
it by any valid class before picking, then zero the loss there.

F.cross_entropy does all of this. Here you build it from scratch, so it is refused, and so are
the pieces that would do the work for you: log_softmax, logsumexp and nll_loss.
"""
import torch


def log_softmax(x: torch.Tensor, dim: int = -1) -> torch.Tensor:
    """The logarithm of softmax along `dim`, computed without overflow or log(0).

    Args:
        x: float tensor of any shape; other dims than `dim` may be empty. x may hold logits as
            large as +-1e4; an entry of -inf gives -inf (as long as its slice has a finite
            entry).
        dim: the dim holding the classes; negative values count from the end.

    Returns:
        A new tensor of x's shape, dtype and device: x - log(sum(exp(x), dim)), every slice
        along `dim` a log-probability distribution (its exp sums to 1). Values and gradients
        match torch.log_softmax(x, dim), finite for finite x however large. x is not modified.

    Loops: not allowed.
    Dtype: same as x (float16 and bfloat16 included).
    Forbidden: torch.log_softmax, F.log_softmax, Tensor.log_softmax, torch.special.log_softmax,
        nn.LogSoftmax, torch.logsumexp, Tensor.logsumexp, torch.special.logsumexp,
        F.cross_entropy, nn.CrossEntropyLoss, F.nll_loss, nn.NLLLoss.
    """
    raise NotImplementedError("09_modules_optim/cross_entropy: log_softmax is not implemented yet; stuck? run `kata hint 09_modules_optim/cross_entropy log_softmax`")


def cross_entropy(logits: torch.Tensor, targets: torch.Tensor, reduction: str = "mean",
                  ignore_index: int = -100) -> torch.Tensor:
    """Cross-entropy between raw logits and class targets, with reductions and ignore_index.

    Args:
        logits: float tensor of shape (*, C): the classes on the LAST dim, any number of leading
            dims (none included), any of them possibly 0. For a 2-D (N, C) input this is
            F.cross_entropy's layout; for (B, T, V) it is what you would get from
            F.cross_entropy(logits.reshape(-1, V), targets.reshape(-1)).
        targets: int64 tensor of shape (*) (logits' shape without the last dim), on logits'
            device. Every entry is a class in [0, C) or equal to ignore_index.
        reduction: "mean" (default), "sum" or "none".
        ignore_index: an int; positions whose target equals it count for nothing.

    Returns:
        With logits' dtype and device, the loss -log_softmax(logits)[..., target] per position,
        with 0 where the target is ignore_index, then:
            "none": the per-position losses, shape (*);
            "sum":  their sum, a 0-dim tensor (0 when no position counts);
            "mean": their sum divided by the number of positions that count, a 0-dim tensor
                    (nan when none counts, as for F.cross_entropy).
        Values and gradients match F.cross_entropy(logits, targets, reduction=reduction,
        ignore_index=ignore_index) (on the flattened layout above), finite for logits as large
        as +-1e4. Inputs are not modified.

    Raises:
        ValueError: for any other reduction.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: F.cross_entropy, nn.CrossEntropyLoss, F.nll_loss, nn.NLLLoss, torch.log_softmax,
        F.log_softmax, Tensor.log_softmax, torch.special.log_softmax, nn.LogSoftmax,
        torch.logsumexp, Tensor.logsumexp, torch.special.logsumexp.
    """
    raise NotImplementedError("09_modules_optim/cross_entropy: cross_entropy is not implemented yet; stuck? run `kata hint 09_modules_optim/cross_entropy cross_entropy`")
