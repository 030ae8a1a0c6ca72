"""Choosing the next token: greedy, temperature, top-k and top-p.

A language model does not write text; it scores. For every position it returns logits of
shape (..., V), one number per word piece of its vocabulary of V tokens, and softmax turns
them into a probability distribution over what comes next. How you pick a token from that
distribution, the decoding strategy, changes the text as much as the model does.

Take four tokens with logits [2.0, 1.0, 0.5, -1.0], so probabilities about
[0.610, 0.224, 0.136, 0.030].

Greedy decoding takes the argmax, token 0, every time. It is deterministic, and it is also
dull: models decoded greedily repeat themselves.

Sampling draws a token at random with those probabilities. Temperature T reshapes the
distribution first, by dividing the logits: softmax(logits / T).
    T = 0.5   [0.842, 0.114, 0.042, 0.002]   sharper: the favourite gets more
    T = 1     [0.610, 0.224, 0.136, 0.030]   the model's own distribution
    T = 2     [0.434, 0.264, 0.205, 0.097]   flatter: surprises get more
As T shrinks towards 0 all the mass moves to the argmax, so T = 0 is defined as greedy
decoding (dividing by zero itself would give inf and NaN).

The long tail is the danger of sampling: thousands of individually unlikely tokens together
get picked now and then, and one bad token derails a sentence. Two filters cut the tail by
setting logits to -inf (probability 0) before the draw:
  * top-k keeps the k highest logits of each row. With k = 2: tokens 0 and 1, which
    renormalise to [0.731, 0.269].
  * top-p (nucleus sampling) keeps the most probable tokens until their total reaches p. Sort
    the probabilities, most likely first; the token that pushes the running total to p or
    beyond is still kept, the ones after it are not. With p = 0.8: token 0 alone has 0.610,
    adding token 1 reaches 0.834 >= 0.8, so tokens 0 and 1 stay. Unlike top-k, the number of
    survivors adapts: a confident model keeps one or two tokens, an unsure one keeps many.
Used together, the order is temperature, then top-k, then top-p, each step working on what
the previous one left.

Randomness you cannot replay is a bug you cannot reproduce. Pass a torch.Generator to the
random call, as in torch.multinomial(probs, 1, generator=g): the same seed then gives the same
tokens, whatever else the program draws from torch's global generator in between.
"""
import torch


def top_k_filter(logits: torch.Tensor, k: int) -> torch.Tensor:
    """Keep each row's k highest logits and set the others to -inf.

    Args:
        logits: float tensor of shape (..., V): one row of V logits per position.
        k: how many to keep, an int >= 1. k >= V keeps every logit.

    Returns:
        A tensor of logits' shape, dtype and device. In each row, every logit smaller than
        the row's k-th largest value becomes -inf; the others keep their value. So logits
        tied with the k-th largest are all kept, and more than k may survive. The gradient
        is 1 for a kept logit and 0 for a removed one. logits is not modified.

    Raises:
        ValueError: if k < 1.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: torch.topk(logits, k, dim=-1).values gives each row's k largest values, largest
    #   first; the last of them, kept as a size-1 dim (values[..., -1:]), is the threshold.
    # hint: logits.masked_fill(logits < threshold, float("-inf")) removes the rest without
    #   touching the input; `<` (not `<=`) keeps every logit tied with the threshold.
    # hint: topk refuses a k larger than the row, so use min(k, V); raise ValueError for k < 1.
    if k < 1:
        raise ValueError(f"top_k must be at least 1, got {k}")
    threshold = logits.topk(min(k, logits.shape[-1]), dim=-1).values[..., -1:]
    return logits.masked_fill(logits < threshold, float("-inf"))
    # END SOLUTION


def top_p_filter(logits: torch.Tensor, p: float) -> torch.Tensor:
    """Nucleus filtering: keep the most probable tokens of each row until their total reaches p.

    Args:
        logits: float tensor of shape (..., V).
        p: the probability mass to keep, 0 < p <= 1.

    Returns:
        A tensor of logits' shape, dtype and device. For each row, sort the tokens by
        probability, softmax(row), most probable first. A token is kept when the total
        probability of the tokens sorted before it is below p (so the token that brings the
        total to p or beyond is kept, and the most probable token always is); every other
        logit becomes -inf, and kept logits keep their value. p = 1 keeps every token, however
        small its probability. When tokens of equal probability straddle the cut, which of
        them survive is not specified. The gradient is 1 for a kept logit and 0 for a removed
        one. logits is not modified.

    Raises:
        ValueError: if p <= 0 or p > 1.

    Loops: not allowed.
    Dtype: same as logits (float16 and bfloat16 included).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Work with probabilities: softmax over the last dim, then sort them with
    #   descending=True, which also gives you each sorted position's original token index.
    # hint: The mass sorted before a token is cumsum(sorted_probs) - sorted_probs; remove the
    #   tokens where it is >= p. p = 1 needs no filtering at all (rounding can push a sum of
    #   probabilities to exactly 1.0 before the last tiny token).
    # hint: The removal mask is in sorted order. Put it back in vocabulary order with
    #   mask.scatter(-1, sorted_indices, mask), then masked_fill the logits with -inf.
    if not 0.0 < p <= 1.0:
        raise ValueError(f"top_p must be in (0, 1], got {p}")
    if p == 1.0:
        return logits.clone()
    # Probabilities in at least float32, so a half-precision row is cut where a float32 one is.
    probs = torch.softmax(logits.to(torch.promote_types(logits.dtype, torch.float32)), dim=-1)
    sorted_probs, order = probs.sort(dim=-1, descending=True)
    before = sorted_probs.cumsum(dim=-1) - sorted_probs     # mass of the more probable tokens
    remove_sorted = before >= p
    remove = remove_sorted.scatter(-1, order, remove_sorted)   # back to vocabulary order
    return logits.masked_fill(remove, float("-inf"))
    # END SOLUTION


def sample_next_token(logits: torch.Tensor, temperature: float = 1.0, top_k: int | None = None,
                      top_p: float | None = None, generator: torch.Generator | None = None) -> torch.Tensor:
    """Pick one token id for every row of logits.

    Args:
        logits: float tensor of shape (..., V), possibly with no leading dims at all (V,).
        temperature: a float >= 0. 0 means greedy decoding.
        top_k: None (no top-k filter) or an int >= 1, applied as top_k_filter does.
        top_p: None (no top-p filter) or a float in (0, 1], applied as top_p_filter does.
        generator: the torch.Generator every random draw must use; None means torch's global
            generator.

    Returns:
        An int64 tensor of shape logits.shape[:-1] on logits' device, one token index per row.
        With temperature 0 it is each row's argmax (the first one when several logits tie for
        the maximum), whatever valid top_k and top_p say. Otherwise the logits are divided by
        the temperature, filtered by top-k and then top-p (each as the functions above do, the
        top-p probabilities taken from what top-k left), and every row independently draws
        token i with probability softmax(filtered row)_i. All randomness comes from
        `generator`, so the same seed gives the same tokens, whatever torch's global generator
        holds; with generator=None the global generator is used, so torch.manual_seed replays
        the draw. logits is not modified.

    Raises:
        ValueError: if temperature < 0, or for a top_k or top_p the filters refuse.

    Loops: not allowed.
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Handle temperature == 0 first: logits.argmax(dim=-1) is greedy decoding and
    #   already has the right shape. Raise ValueError for a negative temperature.
    # hint: Otherwise scale (logits / temperature), apply your top_k_filter and then your
    #   top_p_filter when they are asked for, and softmax the result over the last dim.
    # hint: torch.multinomial(probs, 1, generator=generator) draws one index per row, but only
    #   for 1-D or 2-D input: reshape the probabilities to (-1, V) first and the (N, 1) result
    #   back to logits.shape[:-1] after.
    if temperature < 0:
        raise ValueError(f"temperature must be >= 0, got {temperature}")
    if temperature == 0:
        return logits.argmax(dim=-1)
    scaled = logits / temperature
    if top_k is not None:
        scaled = top_k_filter(scaled, top_k)
    if top_p is not None:
        scaled = top_p_filter(scaled, top_p)
    probs = torch.softmax(scaled.float(), dim=-1)
    rows = probs.reshape(-1, probs.shape[-1])               # multinomial takes 1-D or 2-D only
    tokens = torch.multinomial(rows, 1, generator=generator)
    return tokens.reshape(logits.shape[:-1])
    # END SOLUTION
