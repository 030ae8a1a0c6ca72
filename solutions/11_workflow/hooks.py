"""Hooks: watching what flows through a model without editing its code.

A hook is a function you attach to a module (or a tensor) that PyTorch calls for you at a fixed
moment. It lets you look inside a model you did not write: print shapes while debugging, copy
out activations for analysis, or watch gradients shrink on their way back through the layers.

    handle = layer.register_forward_hook(hook)        # hook(module, inputs, output), after forward
    handle = layer.register_full_backward_hook(hook)  # hook(module, grad_input, grad_output), in backward
    handle = tensor.register_hook(hook)               # hook(grad), when that tensor's gradient is ready

Hooks only run when a module is *called*, `model(x)`, which is one more reason never to call
model.forward(x) directly. A forward hook sees the module's inputs (always a tuple) and its
output; whatever it stores survives after the call. For the guide's MLP on a batch of one:

    {'fc1': (1, 128), 'relu': (1, 128), 'fc2': (1, 10)}

Every register_... call returns a handle, and the hook stays attached until `handle.remove()`.
A hook left behind keeps firing on every later forward pass: it slows training, keeps tensors
alive, and its records pile up. So collect the handles and remove them in a `finally:` block:
then even a forward pass that raises leaves the model clean.

Two traps when you keep tensors that a hook hands you:
- the output is part of the autograd graph. Store `output.detach()` unless you want gradients
  through it; a stored graph also keeps its memory alive;
- it is the very tensor the next layer receives. A layer such as nn.ReLU(inplace=True) may
  overwrite it a moment later, so store a copy: `output.detach().clone()`.

Backward hooks run in the opposite order to forward ones: during loss.backward() the gradient
reaches the last layer first. The norm of the gradient with respect to each layer's output
shows at a glance where gradients vanish or explode.
"""
import torch
from torch import nn
from torch.nn.modules import module as module_globals


def output_shapes(model: nn.Module, input_shape: tuple) -> dict:
    """Run one dummy batch through `model` and record the output shape of each direct child.

    Args:
        model: an nn.Module whose direct children (model.named_children()) each return a tensor,
            on any device, the meta device included.
        input_shape: the shape of the dummy batch, e.g. (1, 784).

    Attach a forward hook to every direct child, call model(dummy) once with
    dummy = torch.zeros(input_shape) on the device of the model's first parameter (the CPU when
    it has none), then remove every hook, also when the forward pass raises (the exception then
    propagates).

    Returns:
        A dict {child name: tuple of ints}, e.g. {'0': (1, 128), '1': (1, 128), '2': (1, 10)}, with
        the keys in the order the children ran (a torch.Size is a tuple, so it will do). Afterwards
        the model holds no hooks at all.

    Loops: allowed (one hook per child).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: For each (name, child) in model.named_children(), register_forward_hook with a small
    #   function that stores output.shape under that name; keep the handle it returns.
    # hint: A function defined in a loop sees the loop variable's last value when it runs: bind
    #   the name now, with a default argument (def hook(module, inputs, output, name=name)).
    # hint: Put the forward call in try: and remove the handles in finally:. The dummy goes on
    #   next(model.parameters()).device, so a model on 'meta' is traced without any memory.
    first = next(model.parameters(), None)
    device = first.device if first is not None else torch.device("cpu")
    shapes = {}
    handles = []
    for name, child in model.named_children():
        def record(module, inputs, output, name=name):
            shapes[name] = tuple(output.shape)
        handles.append(child.register_forward_hook(record))
    try:
        model(torch.zeros(input_shape, device=device))
    finally:
        for handle in handles:
            handle.remove()
    return shapes
    # END SOLUTION


def capture_activations(model: nn.Module, x: torch.Tensor, names: list) -> dict:
    """Run model(x) once and keep a copy of the output of each submodule named in `names`.

    Args:
        model: an nn.Module; its submodules return tensors.
        x: the input batch, on the model's device.
        names: submodule names as model.named_modules() spells them ('0', '2', 'encoder.1').
            An unknown name raises AttributeError (as model.get_submodule does).

    Returns:
        A dict {name: activation} with the keys in the order of `names`. Each activation has the
        submodule output's shape, dtype and device and holds its values as they were when that
        submodule returned: it is detached (requires_grad=False, no grad_fn) and has its own
        memory, so an in-place layer further on (nn.ReLU(inplace=True)) cannot change it.
        x is not modified. Every hook is removed before returning, also when forward raises.

    Loops: allowed (one hook per name).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: model.get_submodule(name) finds each module (and raises AttributeError for a name that
    #   is not there); hook it with register_forward_hook.
    # hint: In the hook store output.detach().clone(): detach leaves the graph, clone gets its own
    #   memory before an in-place layer can overwrite it.
    # hint: Fill the result in the order of `names`, not in the order the hooks fired, and remove
    #   the handles in a finally: block.
    captured = {}
    handles = []
    try:
        for name in names:
            def keep(module, inputs, output, name=name):
                captured[name] = output.detach().clone()
            handles.append(model.get_submodule(name).register_forward_hook(keep))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in names}
    # END SOLUTION


def output_grad_norms(model: nn.Module, x: torch.Tensor) -> dict:
    """Backpropagate a loss through `model` and record how large the gradient is at each layer.

    Attach a full backward hook (register_full_backward_hook) to every direct child, compute
    loss = (model(x) ** 2).mean() and call loss.backward(). Each hook records the L2 norm of the
    gradient of the loss with respect to its child's output (grad_output[0]). Remove every hook
    before returning, also when forward or backward raises.

    Args:
        model: an nn.Module whose direct children each take and return one tensor, none of them
            in-place; at least one parameter requires grad.
        x: a float input batch.

    Returns:
        A dict {child name: norm as a Python float}, with the keys in the order the hooks fired,
        which is the reverse of the forward order (the last child first). A child whose output
        takes no part in the gradient has no entry. x is not modified.

    Loops: allowed (one hook per child).
    Forbidden: nothing.
    """
    # BEGIN SOLUTION
    # hint: child.register_full_backward_hook(hook) calls hook(module, grad_input, grad_output)
    #   during backward; grad_output[0] is dLoss/dOutput of that child.
    # hint: Store grad_output[0].norm().item() under the child's name as the hook fires, so the
    #   dict comes out last layer first; remove the handles in a finally: block.
    norms = {}
    handles = []
    for name, child in model.named_children():
        def record(module, grad_input, grad_output, name=name):
            norms[name] = grad_output[0].norm().item()
        handles.append(child.register_full_backward_hook(record))
    try:
        loss = (model(x) ** 2).mean()
        loss.backward()
    finally:
        for handle in handles:
            handle.remove()
    return norms
    # END SOLUTION


# ------------------------------------------------------------------------------------------------
# The hidden suite calls your functions through this one to see whether any hook is left behind
# (a model cannot travel back to the grader). Leave it as it is.

def hooks_left_after(function: str, model: nn.Module, *args) -> dict:
    """Call one of your functions on `model`, then count the hooks still attached: on every
    module, on every parameter, and new global module hooks (which it then removes, since they
    would fire on every model that runs later). A call that raises is reported by the
    exception's name, since a failing forward pass must clean up too."""
    global_hooks = (module_globals._global_forward_hooks, module_globals._global_forward_pre_hooks,
                    module_globals._global_backward_hooks, module_globals._global_backward_pre_hooks)
    before = [set(hooks) for hooks in global_hooks]
    try:
        globals()[function](model, *args)
        raised = None
    except NotImplementedError:
        raise
    except Exception as error:
        raised = type(error).__name__
    on_modules = sum(len(m._forward_hooks) + len(m._forward_pre_hooks) + len(m._backward_hooks)
                     + len(m._backward_pre_hooks) for m in model.modules())
    on_parameters = sum(len(p._backward_hooks or {}) for p in model.parameters())
    new_global = 0
    for hooks, old in zip(global_hooks, before):
        for key in set(hooks) - old:
            del hooks[key]
            new_global += 1
    return {"raised": raised, "hooks_left": on_modules + on_parameters + new_global}
