"""Mistake catalogue for 11_workflow/classifier_lab.

The fit entries share one loop, `train_run`, whose keyword switches turn on one learner slip at a
time; each entry reads as the line a learner would have written differently.
"""
import math

import torch
import torch.nn.functional as F
from torch import nn

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


# ---------------------------------------------------------------- Classifier: mistakes

class Classifier:
    @catalogue.mistake("no nn.Flatten: the layers shift to net.0 and net.3, and images reach Linear unflattened",
                       hint="start the Sequential with nn.Flatten()")
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):
        nn.Module.__init__(self)
        self.net = nn.Sequential(nn.Linear(math.prod(image_shape), hidden_dim), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden_dim, num_classes))

    @catalogue.mistake("the guide's 784 inputs hard-coded instead of C * H * W",
                       hint="compute the input size from image_shape")
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):  # noqa: F811
        nn.Module.__init__(self)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, hidden_dim), nn.ReLU(), nn.Dropout(dropout),
                                 nn.Linear(hidden_dim, num_classes))

    @catalogue.mistake("nn.Sigmoid, from older tutorials, where the lab uses nn.ReLU",
                       hint="the hidden activation is nn.ReLU()")
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):  # noqa: F811
        nn.Module.__init__(self)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(math.prod(image_shape), hidden_dim), nn.Sigmoid(),
                                 nn.Dropout(dropout), nn.Linear(hidden_dim, num_classes))

    @catalogue.mistake("dropout fixed at the guide's 0.2 instead of the `dropout` argument",
                       hint="pass the argument: nn.Dropout(dropout)")
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):  # noqa: F811
        nn.Module.__init__(self)
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(math.prod(image_shape), hidden_dim), nn.ReLU(),
                                 nn.Dropout(0.2), nn.Linear(hidden_dim, num_classes))

    @catalogue.mistake("ends with a softmax, so the model returns probabilities instead of logits",
                       hint="return the last Linear's output: F.cross_entropy applies the softmax itself")
    def forward(self, x):
        return self.net(x).softmax(dim=1)


@catalogue.mistake("layers as separate attributes fc1/fc2 (the guide's SimpleNet style), so there is no net",
                   hint="one nn.Sequential named net, so the keys are net.1.weight, ...")
class Classifier(nn.Module):  # noqa: F811
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):
        super().__init__()
        self.fc1 = nn.Linear(math.prod(image_shape), hidden_dim)
        self.dropout = nn.Dropout(dropout)
        self.fc2 = nn.Linear(hidden_dim, num_classes)

    def forward(self, x):
        return self.fc2(self.dropout(torch.relu(self.fc1(x.flatten(1)))))


# ---------------------------------------------------------------- Classifier: alternatives

@catalogue.alternative("the Sequential built from a list, the input size from math.prod")
class Classifier(nn.Module):  # noqa: F811
    def __init__(self, image_shape=(1, 8, 8), hidden_dim=32, num_classes=10, dropout=0.2):
        super().__init__()
        layers = [nn.Flatten(), nn.Linear(math.prod(image_shape), hidden_dim), nn.ReLU(), nn.Dropout(p=dropout),
                  nn.Linear(hidden_dim, num_classes)]
        self.net = nn.Sequential(*layers)

    def forward(self, images):
        return self.net(images)


# ---------------------------------------------------------------- evaluate: mistakes

@catalogue.mistake("forgets model.eval(): dropout keeps switching units off during evaluation",
                   hint="call model.eval() first")
def evaluate(model, X, y):
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean().item()


@catalogue.mistake("no torch.no_grad(): autograd records a graph it will never use",
                   hint="run the forward pass inside `with torch.no_grad():`")
def evaluate(model, X, y):  # noqa: F811
    model.eval()
    return (model(X).argmax(dim=1) == y).float().mean().item()


@catalogue.mistake("torch.set_grad_enabled(False) and never switches it back on",
                   hint="a `with torch.no_grad():` block restores grad mode by itself")
def evaluate(model, X, y):  # noqa: F811
    model.eval()
    torch.set_grad_enabled(False)
    return (model(X).argmax(dim=1) == y).float().mean().item()


@catalogue.mistake("argmax over dim 0, the batch, instead of over the classes",
                   hint="one prediction per row: argmax(dim=1)")
def evaluate(model, X, y):  # noqa: F811
    model.eval()
    with torch.no_grad():
        logits = model(X)
    return (logits.argmax(dim=0)[:len(y)] == y[:logits.shape[1]]).float().mean().item()


@catalogue.mistake("returns a percentage (0-100) instead of a fraction", hint="return correct / total, between 0 and 1")
def evaluate(model, X, y):  # noqa: F811
    return 100 * ref.evaluate(model, X, y)


@catalogue.mistake("returns the accuracy as a 0-d tensor", hint="call .item() to get a Python float")
def evaluate(model, X, y):  # noqa: F811
    model.eval()
    with torch.no_grad():
        return (model(X).argmax(dim=1) == y).float().mean()


@catalogue.mistake("switches back to model.train() before returning", hint="leave the model in eval mode")
def evaluate(model, X, y):  # noqa: F811
    accuracy = ref.evaluate(model, X, y)
    model.train()
    return accuracy


# ---------------------------------------------------------------- evaluate: alternatives

@catalogue.alternative("torch.inference_mode(), model.train(False) and a count of correct predictions")
def evaluate(model, X, y):  # noqa: F811
    model.train(False)
    with torch.inference_mode():
        correct = int((model(X).argmax(1) == y).sum())
    return correct / len(y)


# ---------------------------------------------------------------- fit: mistakes

def train_run(model, train, test, epochs, seed, lr=0.05, batch_size=32, *, seed_dropout=True,
              generator_per_epoch=False, train_mode=True, zero_grad=True, batch_mean=False,
              optimizer_per_epoch=False, optimizer_class=torch.optim.Adam, train_on_test=False,
              evaluate_inline=False):
    """The reference recipe with one switch flipped per mistake."""
    if seed_dropout:
        torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    optimizer = optimizer_class(model.parameters(), lr=lr)
    X, y = train
    if train_on_test:
        X, y = torch.cat([X, test[0]]), torch.cat([y, test[1]])
    history = {"train_loss": [], "test_accuracy": []}
    for _ in range(epochs):
        if generator_per_epoch:
            generator = torch.Generator().manual_seed(seed)
        if optimizer_per_epoch:
            optimizer = optimizer_class(model.parameters(), lr=lr)
        if train_mode:
            model.train()
        order = torch.randperm(len(X), generator=generator)
        total, batches = 0.0, 0
        for start in range(0, len(X), batch_size):
            batch = order[start:start + batch_size]
            if zero_grad:
                optimizer.zero_grad()
            loss = F.cross_entropy(model(X[batch]), y[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() if batch_mean else loss.item() * len(batch)
            batches += 1
        history["train_loss"].append(total / batches if batch_mean else total / len(X))
        if evaluate_inline:   # no eval(), no no_grad(): dropout draws masks for the test images
            history["test_accuracy"].append((model(test[0]).argmax(dim=1) == test[1]).float().mean().item())
        else:
            history["test_accuracy"].append(ref.evaluate(model, *test))
    return history


@catalogue.mistake("trains on the training and test images together", hint="the test set is for measuring only")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):
    return train_run(model, train, test, epochs, seed, lr, batch_size, train_on_test=True)


@catalogue.mistake("measures the test set inline, in training mode and with gradients on",
                   hint="use evaluate(model, *test), which switches to eval mode under no_grad")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, evaluate_inline=True)


@catalogue.mistake("calls model.train() once before the loop, so after the first evaluation it trains in eval mode",
                   hint="call model.train() at the start of every epoch")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    model.train()
    return train_run(model, train, test, epochs, seed, lr, batch_size, train_mode=False)


@catalogue.mistake("makes a new seeded generator every epoch, so every epoch sees the same batch order",
                   hint="make the generator once, before the epoch loop")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, generator_per_epoch=True)


@catalogue.mistake("never zeroes the gradients, so they pile up from batch to batch",
                   hint="optimizer.zero_grad() before each backward")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, zero_grad=False)


@catalogue.mistake("averages the batch losses, which over-weights the short last batch",
                   hint="sum loss.item() * len(batch) and divide by the number of images")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, batch_mean=True)


@catalogue.mistake("creates the optimizer inside the epoch loop, wiping Adam's running averages",
                   hint="create the optimizer once, before the loop")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, optimizer_per_epoch=True)


@catalogue.mistake("plain SGD instead of Adam", hint="torch.optim.Adam(model.parameters(), lr=lr)")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, optimizer_class=torch.optim.SGD)


@catalogue.mistake("forgets torch.manual_seed(seed), so the dropout masks depend on what ran before",
                   hint="seed torch's global generator first")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    return train_run(model, train, test, epochs, seed, lr, batch_size, seed_dropout=False)


@catalogue.mistake("keeps the loss tensors in the history instead of Python floats",
                   hint="append loss values as Python floats (.item())")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    history = train_run(model, train, test, epochs, seed, lr, batch_size)
    return {"train_loss": [torch.tensor(v) for v in history["train_loss"]], "test_accuracy": history["test_accuracy"]}


# ---------------------------------------------------------------- fit: alternatives

@catalogue.alternative("nn.CrossEntropyLoss, zero_grad(set_to_none=True) and the loss summed as a tensor")
def fit(model, train, test, epochs, seed, lr=0.05, batch_size=32):  # noqa: F811
    torch.manual_seed(seed)
    order_source = torch.Generator()
    order_source.manual_seed(seed)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    criterion = nn.CrossEntropyLoss()
    images, labels = train
    n = images.shape[0]
    losses, accuracies = [], []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(n, generator=order_source)
        running = torch.zeros(())
        for batch in order.split(batch_size):
            optimizer.zero_grad(set_to_none=True)
            loss = criterion(model(images[batch]), labels[batch])
            loss.backward()
            optimizer.step()
            running += loss.detach() * batch.numel()
        losses.append(float(running / n))
        accuracies.append(ref.evaluate(model, *test))
    return {"train_loss": losses, "test_accuracy": accuracies}
