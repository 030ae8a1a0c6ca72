"""Feeding a model: Dataset, DataLoader, shuffling you can replay, and padding.

PyTorch splits "where the samples live" from "how they reach the model". A Dataset answers two
questions only: how many samples are there (`__len__`), and what is sample number i
(`__getitem__`). Anything with those two methods works, whether the samples sit in one tensor,
in a folder of files or are generated on the fly:

    class Squares(Dataset):
        def __len__(self):
            return 5
        def __getitem__(self, i):
            return torch.tensor(float(i)), torch.tensor(float(i * i))

A DataLoader then does the rest: it picks indices, asks the dataset for each one, and glues
the samples of a batch together with a *collate* function. The default collate stacks tensors
along a new first dim, and for samples that are (x, y) pairs it hands back a two-item list
[stacked xs, stacked ys]:

    loader = DataLoader(Squares(), batch_size=2)
    [xb.tolist() for xb, yb in loader]      # [[0.0, 1.0], [2.0, 3.0], [4.0]]

Three options matter in every training script:
- `shuffle=True` draws a new order for every pass (epoch), so the model never sees the same
  sequence of batches twice. Give the loader its own `generator=torch.Generator().manual_seed(s)`
  and the orders become reproducible: the same seed replays the same epochs, and torch's global
  random state (the one torch.manual_seed sets and dropout uses) is left alone. Keep that one
  loader for the whole run: its generator moves on after each pass, which is what gives every
  epoch a fresh order.
- `drop_last=True` leaves out a final batch that came up short (10 samples in batches of 3 give
  3 full batches and a batch of 1, which drop_last discards).
- `collate_fn=...` replaces the stacking. Sentences, token streams and audio clips come in
  different lengths and cannot be stacked, so a collate function pads every sequence to the
  longest one in the batch and returns a mask that says which positions are real:

    sequences  [5, 3, 8]   [7]   [2, 9]
    padded     [[5, 3, 8],   [7, 0, 0],  [2, 9, 0]]
    mask       [[T, T, T],   [T, F, F],  [T, T, F]]

The model later uses the mask to ignore the padding (in a masked mean, or in attention).
"""
import torch
from torch.utils.data import DataLoader, Dataset


class PairDataset(Dataset):
    """A map-style dataset over two aligned tensors: sample i is the pair (X[i], y[i]).

    PairDataset(X, y): X has shape (N, ...) with any trailing dims, y has shape (N, ...) too
    (usually (N,) labels); any dtypes, on any device. The dataset keeps X and y as they are: no
    conversion to another dtype or device, and no change to their values.

    Raises:
        ValueError: when X and y hold different numbers of samples (X.shape[0] != y.shape[0]).

    len(dataset) is N. dataset[i] is the tuple (X[i], y[i]) for any index a tensor accepts
    (so -1 is the last sample), and an index past the end raises IndexError, as it does for
    a tensor. It is a torch.utils.data.Dataset subclass.

    Loops: allowed (nothing here loops over tensor elements).
    Forbidden: nothing.
    """

    def __init__(self, X: torch.Tensor, y: torch.Tensor):
        # BEGIN SOLUTION
        # hint: Keep X and y on self as they are; check first that both have the same number
        #   of rows and raise ValueError otherwise.
        # hint: The sample count is the size of the first dim (X.shape[0]), not X.numel() and
        #   not the number of features.
        if X.shape[0] != y.shape[0]:
            raise ValueError(f"X has {X.shape[0]} samples but y has {y.shape[0]}")
        self.X = X
        self.y = y
        # END SOLUTION

    def __len__(self) -> int:
        # BEGIN SOLUTION
        return self.X.shape[0]
        # END SOLUTION

    def __getitem__(self, index):
        # BEGIN SOLUTION
        # hint: One sample is one row of each tensor, returned together as a tuple (features
        #   first, then label).
        return self.X[index], self.y[index]
        # END SOLUTION


def shuffled_batches(X: torch.Tensor, y: torch.Tensor, batch_size: int, seed: int,
                     epochs: int = 1, drop_last: bool = False) -> list:
    """Read X and y for several epochs through one shuffling DataLoader seeded with `seed`.

    Wrap X and y in a Dataset (your PairDataset fits) and build ONE DataLoader over it with
    batch_size, shuffle=True, drop_last, and generator=torch.Generator().manual_seed(seed).
    Then iterate over that same loader `epochs` times.

    Args:
        X: (N, ...) tensor of features; y: (N, ...) tensor of labels, aligned with X.
        batch_size: samples per batch, an int >= 1.
        seed: seeds the loader's own generator.
        epochs: how many passes over the data, an int >= 0.
        drop_last: when True, a final batch shorter than batch_size is left out of each epoch.

    Returns:
        A list of `epochs` epochs. Each epoch is a list of batches exactly as that loader yields
        them: a two-item list [xb, yb] with xb = X[idx] and yb = y[idx] for the batch's sample
        indices idx. Each epoch has its own order (the loader's generator moves on), and the
        same seed gives the same epochs whatever torch.manual_seed was called with. With
        drop_last=True and N < batch_size an epoch is the empty list. X and y are not modified.

    Loops: allowed (one iteration per epoch and per batch).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: torch.utils.data.DataLoader(dataset, batch_size=..., shuffle=True, drop_last=...,
    #   generator=...) does all the work; your job is to build it once and read it.
    # hint: Create the generator and the loader once, before the epoch loop: a loader made
    #   again for every epoch would replay the first order each time.
    # hint: Each pass is list(loader), which gives the [xb, yb] lists the default collate makes.
    generator = torch.Generator().manual_seed(seed)
    loader = DataLoader(PairDataset(X, y), batch_size=batch_size, shuffle=True, drop_last=drop_last,
                        generator=generator)
    return [list(loader) for _ in range(epochs)]
    # END SOLUTION


def pad_collate(batch: list, pad_value=0) -> tuple:
    """A DataLoader collate_fn for sequences of different lengths: pad them and build a mask.

    Args:
        batch: a list of B >= 1 samples, each a pair (seq, label): seq a 1-D tensor of length
            L_i >= 0 (token ids, or any other dtype), label a 0-d tensor. All on one device,
            all sequences of one dtype, all labels of one dtype.
        pad_value: the number written after the end of every shorter sequence.

    Returns:
        (padded, mask, labels), three new tensors on the sequences' device:
        - padded: shape (B, L) with L = the longest L_i (0 when every sequence is empty), the
          sequences' dtype; row i is seq_i followed by L - L_i copies of pad_value. For float
          sequences, padded is differentiable with respect to them.
        - mask: shape (B, L), dtype torch.bool; True where padded holds a real element of a
          sequence, False on padding.
        - labels: shape (B,), the labels stacked in batch order, in their dtype.
        The samples in `batch` are not modified.

    Loops: allowed (one copy per sequence in the list).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: Split the batch into the sequences and the labels; L is the longest sequence's
    #   length. torch.stack the labels.
    # hint: Start from torch.full((B, L), pad_value) with the sequences' dtype and device and
    #   copy each sequence into the front of its row; torch.nn.utils.rnn.pad_sequence(...,
    #   batch_first=True, padding_value=...) does the same in one call.
    # hint: The mask compares positions with lengths: torch.arange(L)[None, :] < lengths[:, None].
    sequences = [seq for seq, _ in batch]
    labels = torch.stack([label for _, label in batch])
    first = sequences[0]
    lengths = torch.tensor([len(seq) for seq in sequences], device=first.device)
    longest = max(len(seq) for seq in sequences)
    padded = torch.full((len(sequences), longest), pad_value, dtype=first.dtype, device=first.device)
    for row, seq in enumerate(sequences):
        padded[row, :len(seq)] = seq
    mask = torch.arange(longest, device=first.device)[None, :] < lengths[:, None]
    return padded, mask, labels
    # END SOLUTION


# ------------------------------------------------------------------------------------------------
# The hidden suite reaches your PairDataset through this function, since a dataset object cannot
# be sent back to the grader itself. Leave it as it is.

def dataset_view(X: torch.Tensor, y: torch.Tensor) -> dict:
    """What the suite reads from PairDataset(X, y): its type, its length, every sample, the
    sample at -1, what indexing one past the end does, and what a y one row short does."""
    try:
        PairDataset(X, y[:-1])
        mismatch = "accepted"
    except ValueError:
        mismatch = "ValueError"
    except NotImplementedError:
        raise
    except Exception as error:  # any other exception is reported by its name
        mismatch = type(error).__name__
    dataset = PairDataset(X, y)
    try:
        dataset[X.shape[0]]
        past_end = "returned a sample"
    except IndexError:
        past_end = "IndexError"
    return {
        "is_dataset": isinstance(dataset, Dataset),
        "length": len(dataset),
        "samples": [dataset[i] for i in range(X.shape[0])],
        "last": dataset[-1],
        "past_end": past_end,
        "mismatch": mismatch,
    }
