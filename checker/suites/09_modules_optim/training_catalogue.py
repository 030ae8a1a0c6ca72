"""Mistake catalogue for 09_modules_optim/training: plausible wrong loops the suite must reject, and
correct alternatives it must accept. Most mistakes leave out or move one line of the loop, so they
share one skeleton, `_loop`, whose switches each stand for that line."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from checker.catalogue import Catalogue

catalogue = Catalogue()
ref = catalogue.reference


def _loop(X, y, X_val, y_val, epochs, lr, batch_size, seed, *, zero_grad="before backward", evaluate=True,
          train_each_epoch=True, no_grad=True, weighted=True, seed_first=True, keep_last_batch=True,
          loss_fn=F.mse_loss, evaluate_first=False):
    """The reference loop, with one line switched by each keyword."""
    if seed_first:
        torch.manual_seed(seed)
    model = ref.make_model(X.shape[1])
    if not seed_first:
        torch.manual_seed(seed)
    optimizer = ref.PlainSGD(model.parameters(), lr)
    train_losses, eval_losses, predictions = [], [], None
    n = X.shape[0]
    stop = n if keep_last_batch else n - n % batch_size or n

    def evaluation():
        if evaluate:
            model.eval()
        with torch.no_grad() if no_grad else torch.enable_grad():
            out = model(X_val)
            eval_losses.append(F.mse_loss(out, y_val).item())
        return out

    model.train()
    for epoch in range(epochs):
        if evaluate_first:
            predictions = evaluation()
        if train_each_epoch:
            model.train()
        total, batches = 0.0, 0
        for start in range(0, stop, batch_size):
            xb, yb = X[start:start + batch_size], y[start:start + batch_size]
            if zero_grad == "before backward":
                optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            if zero_grad == "before step":
                optimizer.zero_grad()
            optimizer.step()
            total += loss.item() * (xb.shape[0] if weighted else 1)
            batches += 1
        train_losses.append(total / (n if weighted else batches))
        if not evaluate_first:
            predictions = evaluation()
    return {"train_losses": train_losses, "eval_losses": eval_losses, "predictions": predictions}


# ---------------------------------------------------------------- mistakes

@catalogue.mistake("never calls optimizer.zero_grad()", hint="clear the gradients before every backward")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, zero_grad="never")


@catalogue.mistake("calls zero_grad between backward and step, wiping the fresh gradients",
                   hint="the order is zero_grad, forward, loss, backward, step")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, zero_grad="before step")


@catalogue.mistake("evaluates without model.eval(), so dropout stays on", hint="call model.eval() before evaluating")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, evaluate=False)


@catalogue.mistake("calls model.train() once, before the epochs", hint="call model.train() at the start of every epoch")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, train_each_epoch=False)


@catalogue.mistake("evaluates without torch.no_grad()", hint="wrap the evaluation in `with torch.no_grad():`")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, no_grad=False)


@catalogue.mistake("averages the batch losses without weighting them by batch size",
                   hint="sum loss.item() * len(batch) and divide by N")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, weighted=False)


@catalogue.mistake("seeds after building the model, so the initial weights are not the seed's",
                   hint="torch.manual_seed(seed) comes first")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, seed_first=False)


@catalogue.mistake("drops the last, smaller batch", hint="range(0, N, batch_size) keeps it")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, keep_last_batch=False)


@catalogue.mistake("sums the squared errors instead of averaging them", hint="the loss is the mean squared error")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed,
                 loss_fn=lambda pred, target: F.mse_loss(pred, target, reduction="sum"))


@catalogue.mistake("evaluates at the start of each epoch instead of after its training",
                   hint="train the epoch first, then evaluate")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed, evaluate_first=True)


@catalogue.mistake("shuffles the batches each epoch", hint="take the batches in order: no torch.randperm")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    torch.manual_seed(seed)
    model = ref.make_model(X_train.shape[1])
    optimizer = ref.PlainSGD(model.parameters(), lr)
    train_losses, eval_losses = [], []
    for _ in range(epochs):
        model.train()
        order = torch.randperm(X_train.shape[0])
        total = 0.0
        for start in range(0, len(order), batch_size):
            batch = order[start:start + batch_size]
            optimizer.zero_grad()
            loss = F.mse_loss(model(X_train[batch]), y_train[batch])
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        train_losses.append(total / len(order))
        model.eval()
        with torch.no_grad():
            predictions = model(X_val)
            eval_losses.append(F.mse_loss(predictions, y_val).item())
    return {"train_losses": train_losses, "eval_losses": eval_losses, "predictions": predictions}


@catalogue.mistake("keeps the loss tensors in the history", hint="record loss.item(), a Python float")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    result = ref.fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed)
    return {**result, "train_losses": [torch.tensor(v) for v in result["train_losses"]]}


# ---------------------------------------------------------------- alternatives

@catalogue.alternative("nn.MSELoss, torch.optim.SGD and tensor.split for the batches")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    torch.manual_seed(seed)
    model = ref.make_model(X_train.shape[1]).to(X_train.device)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)
    loss_fn = nn.MSELoss()
    history = {"train_losses": [], "eval_losses": [], "predictions": None}
    for _ in range(epochs):
        model.train()
        running = 0.0
        for xb, yb in zip(X_train.split(batch_size), y_train.split(batch_size)):
            optimizer.zero_grad()
            loss = loss_fn(model(xb), yb)
            loss.backward()
            optimizer.step()
            running += loss.item() * len(xb)
        history["train_losses"].append(running / len(X_train))
        model.eval()
        with torch.no_grad():
            history["predictions"] = model(X_val)
            history["eval_losses"].append(loss_fn(history["predictions"], y_val).item())
    return history


@catalogue.alternative("an evaluate helper under torch.inference_mode, the keys in another order")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):
    def evaluate(model):
        model.eval()
        with torch.inference_mode():
            out = model(X_val)
            return out, ((out - y_val) ** 2).mean().item()

    torch.manual_seed(seed)
    model = ref.make_model(X_train.shape[1])
    optimizer = ref.PlainSGD(model.parameters(), lr)
    evals, trains = [], []
    for _ in range(epochs):
        model.train()
        seen, total = 0, 0.0
        while seen < len(X_train):
            xb, yb = X_train[seen:seen + batch_size], y_train[seen:seen + batch_size]
            optimizer.zero_grad()
            loss = ((model(xb) - yb) ** 2).mean()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
            seen += len(xb)
        trains.append(total / seen)
        predictions, value = evaluate(model)
        evals.append(value)
    return {"predictions": predictions, "eval_losses": evals, "train_losses": trains}


# ---------------------------------------------------------------- more entries (review 2)

@catalogue.mistake("takes the batches from a DataLoader(shuffle=False), which draws a seed every epoch",
                   hint="slice the tensors yourself: X_train[start:start + batch_size]")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):  # noqa: F811
    from torch.utils.data import DataLoader, TensorDataset
    torch.manual_seed(seed)
    model = ref.make_model(X_train.shape[1])
    optimizer = ref.PlainSGD(model.parameters(), lr)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=batch_size, shuffle=False)
    result = {"train_losses": [], "eval_losses": [], "predictions": None}
    for _ in range(epochs):
        model.train()
        total = 0.0
        for xb, yb in loader:
            optimizer.zero_grad()
            loss = F.mse_loss(model(xb), yb)
            loss.backward()
            optimizer.step()
            total += loss.item() * len(xb)
        result["train_losses"].append(total / len(X_train))
        model.eval()
        with torch.no_grad():
            result["predictions"] = model(X_val)
            result["eval_losses"].append(F.mse_loss(result["predictions"], y_val).item())
    return result


@catalogue.mistake("names the evaluation history val_losses",
                   hint="the keys are train_losses, eval_losses, predictions")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):  # noqa: F811
    result = ref.fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed)
    return {"train_losses": result["train_losses"], "val_losses": result["eval_losses"],
            "predictions": result["predictions"]}


@catalogue.mistake("seeds with torch.seed(), which picks a fresh random seed, not torch.manual_seed(seed)",
                   hint="torch.manual_seed(seed) makes the run repeatable; torch.seed() picks a random seed")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):  # noqa: F811
    return _loop(X_train, y_train, X_val, y_val, epochs, lr, batch_size, torch.seed())


@catalogue.alternative("torch.optim.SGD with zero_grad(set_to_none=False), "
                       "the epoch loss from summed squared errors")
def fit(X_train, y_train, X_val, y_val, epochs, lr, batch_size, seed):  # noqa: F811
    torch.manual_seed(seed)
    model = ref.make_model(X_train.size(1)).to(X_train.device)
    optimizer = torch.optim.SGD(model.parameters(), lr)
    train_losses, eval_losses = [], []
    for _ in range(epochs):
        model.train()
        squared = 0.0
        for xb, yb in zip(torch.split(X_train, batch_size), torch.split(y_train, batch_size)):
            optimizer.zero_grad(set_to_none=False)
            out = model(xb)
            loss = ((out - yb) ** 2).mean()
            loss.backward()
            optimizer.step()
            squared += ((out.detach() - yb) ** 2).sum().item()
        train_losses.append(squared / X_train.size(0))
        model.eval()
        with torch.no_grad():
            predictions = model(X_val)
        eval_losses.append(((predictions - y_val) ** 2).mean().item())
    return dict(train_losses=train_losses, eval_losses=eval_losses, predictions=predictions)
