"""Mistake catalogue for 11_workflow/data.

PairDataset entries replace one method of the reference class. shuffled_batches entries build
their own loader over TensorDataset, so a PairDataset entry never leaks into them.
"""
import torch
from torch.nn.utils.rnn import pad_sequence
from torch.utils.data import DataLoader, TensorDataset

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- PairDataset: mistakes

class PairDataset:
    @catalogue.mistake("__len__ counts features (X.shape[1]) instead of samples",
                       hint="len(dataset) is the number of samples: X.shape[0]")
    def __len__(self):
        return self.X.shape[1]

    @catalogue.mistake("__getitem__ returns the whole label tensor with each sample",
                       hint="index y too: return self.X[index], self.y[index]")
    def __getitem__(self, index):
        return self.X[index], self.y

    @catalogue.mistake("__getitem__ returns (label, features) in the wrong order",
                       hint="the features come first: (X[i], y[i])")
    def __getitem__(self, index):  # noqa: F811 - each entry is separate
        return self.y[index], self.X[index]

    @catalogue.mistake("casts X to float32 as the guide's MyDataset does (torch.tensor(X, dtype=float32))",
                       hint="keep X as it is: no copy and no dtype change")
    def __init__(self, X, y):
        if X.shape[0] != y.shape[0]:
            raise ValueError("X and y differ in length")
        self.X = X.to(torch.float32)
        self.y = y

    @catalogue.mistake("never checks that X and y have the same number of samples",
                       hint="raise ValueError when X.shape[0] != y.shape[0]")
    def __init__(self, X, y):  # noqa: F811
        self.X, self.y = X, y

    @catalogue.mistake("wraps the index with % len, so dataset[N] quietly returns sample 0",
                       hint="index the tensors directly and let an index past the end raise IndexError")
    def __getitem__(self, index):  # noqa: F811
        index = index % self.X.shape[0]
        return self.X[index], self.y[index]


@catalogue.mistake("a plain class with __len__ and __getitem__ that does not subclass Dataset",
                   hint="declare it as class PairDataset(Dataset)")
class PairDataset:  # noqa: F811
    def __init__(self, X, y):
        if X.shape[0] != y.shape[0]:
            raise ValueError("X and y differ in length")
        self.X, self.y = X, y

    def __len__(self):
        return self.X.shape[0]

    def __getitem__(self, index):
        return self.X[index], self.y[index]


# ---------------------------------------------------------------- PairDataset: alternatives

@catalogue.alternative("a subclass of TensorDataset with the length check added")
class PairDataset(TensorDataset):  # noqa: F811
    def __init__(self, X, y):
        if len(X) != len(y):
            raise ValueError("X and y differ in length")
        super().__init__(X, y)


# ---------------------------------------------------------------- shuffled_batches: mistakes

def loader(X, y, batch_size, seed, drop_last, **options):
    return DataLoader(TensorDataset(X, y), batch_size=batch_size, drop_last=drop_last, **options)


@catalogue.mistake("shuffle left off: every epoch reads the samples in their stored order",
                   hint="pass shuffle=True")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):
    batches = loader(X, y, batch_size, seed, drop_last, generator=torch.Generator().manual_seed(seed))
    return [list(batches) for _ in range(epochs)]


@catalogue.mistake("seeds torch's global RNG instead of giving the loader its own generator",
                   hint="pass generator=torch.Generator().manual_seed(seed) to the DataLoader")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    torch.manual_seed(seed)
    batches = loader(X, y, batch_size, seed, drop_last, shuffle=True)
    return [list(batches) for _ in range(epochs)]


@catalogue.mistake("builds a new seeded loader for every epoch, so each epoch replays the first order",
                   hint="build the generator and the loader once, before the epoch loop")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    return [list(loader(X, y, batch_size, seed, drop_last, shuffle=True,
                        generator=torch.Generator().manual_seed(seed))) for _ in range(epochs)]


@catalogue.mistake("drop_last is not passed on to the DataLoader", hint="pass drop_last=drop_last")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    batches = loader(X, y, batch_size, seed, False, shuffle=True, generator=torch.Generator().manual_seed(seed))
    return [list(batches) for _ in range(epochs)]


@catalogue.mistake("returns the DataLoader objects instead of the batches they yield",
                   hint="read each pass into a list: list(loader)")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    batches = loader(X, y, batch_size, seed, drop_last, shuffle=True, generator=torch.Generator().manual_seed(seed))
    return [batches for _ in range(epochs)]


@catalogue.mistake("shuffles X and y with two different permutations, so features and labels part company",
                   hint="draw one order and index X and y with the same indices (let the DataLoader do it)")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    generator = torch.Generator().manual_seed(seed)
    epochs_out = []
    for _ in range(epochs):
        X_order, y_order = torch.randperm(len(X), generator=generator), torch.randperm(len(y), generator=generator)
        stop = len(X) - len(X) % batch_size if drop_last else len(X)
        epochs_out.append([[X[X_order[i:i + batch_size]], y[y_order[i:i + batch_size]]]
                           for i in range(0, stop, batch_size)])
    return epochs_out


# ---------------------------------------------------------------- shuffled_batches: alternatives

@catalogue.alternative("TensorDataset, a generator seeded in two steps, and one loader read per epoch")
def shuffled_batches(X, y, batch_size, seed, epochs=1, drop_last=False):  # noqa: F811
    generator = torch.Generator()
    generator.manual_seed(seed)
    batches = DataLoader(TensorDataset(X, y), batch_size, shuffle=True, generator=generator, drop_last=drop_last)
    out = []
    for _ in range(epochs):
        out.append([[xb, yb] for xb, yb in batches])
    return out


# ---------------------------------------------------------------- pad_collate: mistakes

@catalogue.mistake("mask is True on the padding instead of on the real elements",
                   hint="True marks real tokens: position < length")
def pad_collate(batch, pad_value=0):
    padded, mask, labels = ref.pad_collate(batch, pad_value)
    return padded, ~mask, labels


@catalogue.mistake("mask as 0/1 integers instead of booleans", hint="compare positions with lengths to get a bool mask")
def pad_collate(batch, pad_value=0):  # noqa: F811
    padded, mask, labels = ref.pad_collate(batch, pad_value)
    return padded, mask.long(), labels


@catalogue.mistake("pads at the front (left padding) instead of after each sequence",
                   hint="copy each sequence into the start of its row: padded[i, :len(seq)] = seq")
def pad_collate(batch, pad_value=0):  # noqa: F811
    sequences = [seq for seq, _ in batch]
    longest = max(len(seq) for seq in sequences)
    padded = torch.full((len(batch), longest), pad_value, dtype=sequences[0].dtype)
    mask = torch.zeros(len(batch), longest, dtype=torch.bool)
    for row, seq in enumerate(sequences):
        if len(seq):
            padded[row, longest - len(seq):] = seq
            mask[row, longest - len(seq):] = True
    return padded, mask, torch.stack([label for _, label in batch])


@catalogue.mistake("ignores pad_value and always pads with zeros", hint="fill with pad_value")
def pad_collate(batch, pad_value=0):  # noqa: F811
    return ref.pad_collate(batch, 0)


@catalogue.mistake("torch.full without dtype=, so int sequences come back as float padding",
                   hint="give torch.full the sequences' dtype")
def pad_collate(batch, pad_value=0):  # noqa: F811
    sequences = [seq for seq, _ in batch]
    longest = max(len(seq) for seq in sequences)
    padded = torch.full((len(batch), longest), float(pad_value))
    for row, seq in enumerate(sequences):
        padded[row, :len(seq)] = seq
    lengths = torch.tensor([len(seq) for seq in sequences])
    return padded, torch.arange(longest)[None, :] < lengths[:, None], torch.stack([label for _, label in batch])


@catalogue.mistake("torch.stack on the sequences themselves (fails as soon as lengths differ)",
                   hint="sequences of different lengths cannot be stacked: pad them first")
def pad_collate(batch, pad_value=0):  # noqa: F811
    padded = torch.stack([seq for seq, _ in batch])
    return padded, torch.ones(padded.shape, dtype=torch.bool), torch.stack([label for _, label in batch])


@catalogue.mistake("labels returned as a Python list of 0-d tensors", hint="torch.stack the labels into one (B,) tensor")
def pad_collate(batch, pad_value=0):  # noqa: F811
    padded, mask, _ = ref.pad_collate(batch, pad_value)
    return padded, mask, [label for _, label in batch]


@catalogue.mistake("writes the sequence into a fresh tensor with .item() values, cutting the autograd graph",
                   hint="copy whole sequences with tensor ops (slice assignment or pad_sequence)")
def pad_collate(batch, pad_value=0):  # noqa: F811
    sequences = [seq for seq, _ in batch]
    longest = max(len(seq) for seq in sequences)
    rows = [[v.item() for v in seq] + [pad_value] * (longest - len(seq)) for seq in sequences]
    padded = torch.tensor(rows, dtype=sequences[0].dtype).reshape(len(batch), longest)
    lengths = torch.tensor([len(seq) for seq in sequences])
    return padded, torch.arange(longest)[None, :] < lengths[:, None], torch.stack([label for _, label in batch])


# ---------------------------------------------------------------- pad_collate: alternatives

@catalogue.alternative("pad_sequence(batch_first=True) and a mask from the lengths")
def pad_collate(batch, pad_value=0):  # noqa: F811
    sequences, labels = zip(*batch)
    padded = pad_sequence(list(sequences), batch_first=True, padding_value=pad_value)
    lengths = torch.tensor([s.shape[0] for s in sequences], device=padded.device)
    mask = torch.arange(padded.shape[1], device=padded.device) < lengths.unsqueeze(1)
    return padded, mask, torch.stack(labels)


@catalogue.alternative("each row built with torch.cat of the sequence and its padding, then stacked")
def pad_collate(batch, pad_value=0):  # noqa: F811
    longest = max(seq.shape[0] for seq, _ in batch)
    rows, masks = [], []
    for seq, _ in batch:
        fill = seq.new_full((longest - seq.shape[0],), pad_value)
        rows.append(torch.cat([seq, fill]))
        masks.append(torch.cat([torch.ones_like(seq, dtype=torch.bool), torch.zeros_like(fill, dtype=torch.bool)]))
    return torch.stack(rows), torch.stack(masks), torch.stack([label for _, label in batch])
