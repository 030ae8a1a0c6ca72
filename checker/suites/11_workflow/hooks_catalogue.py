"""Mistake catalogue for 11_workflow/hooks. Each entry is a whole function, written the way a
learner would, so it shows the one thing that goes wrong."""
import torch

from checker.catalogue import Catalogue

catalogue = Catalogue()


def first_device(model):
    first = next(model.parameters(), None)
    return first.device if first is not None else torch.device("cpu")


# ---------------------------------------------------------------- output_shapes: mistakes

@catalogue.mistake("never removes the hooks", hint="keep the handles and call handle.remove() on each")
def output_shapes(model, input_shape):
    shapes = {}
    for name, child in model.named_children():
        child.register_forward_hook(lambda module, inputs, output, name=name: shapes.update({name: tuple(output.shape)}))
    model(torch.zeros(input_shape, device=first_device(model)))
    return shapes


@catalogue.mistake("removes the hooks after the forward pass, but not when it raises",
                   hint="remove them in a finally: block")
def output_shapes(model, input_shape):  # noqa: F811 - each entry is separate
    shapes = {}
    handles = [child.register_forward_hook(lambda module, inputs, output, name=name: shapes.update(
        {name: tuple(output.shape)})) for name, child in model.named_children()]
    model(torch.zeros(input_shape, device=first_device(model)))
    for handle in handles:
        handle.remove()
    return shapes


def trace_shapes(model, dummy, modules, hook):
    """Forward hooks made by hook(shapes, name) on each (name, module), removed in a finally: block."""
    shapes, handles = {}, []
    for name, module in modules:
        handles.append(module.register_forward_hook(hook(shapes, name)))
    try:
        model(dummy)
    finally:
        for handle in handles:
            handle.remove()
    return shapes


def output_shape(shapes, name):
    return lambda module, inputs, output: shapes.update({name: tuple(output.shape)})


@catalogue.mistake("hooks every module from model.named_modules(), the model itself included",
                   hint="only the direct children: model.named_children()")
def output_shapes(model, input_shape):  # noqa: F811
    dummy = torch.zeros(input_shape, device=first_device(model))
    return trace_shapes(model, dummy, model.named_modules(), output_shape)


@catalogue.mistake("records the shape of the input instead of the output",
                   hint="a forward hook gets (module, inputs, output): record output.shape")
def output_shapes(model, input_shape):  # noqa: F811
    dummy = torch.zeros(input_shape, device=first_device(model))
    return trace_shapes(model, dummy, model.named_children(), lambda shapes, name: (
        lambda module, inputs, output: shapes.update({name: tuple(inputs[0].shape)})))


@catalogue.mistake("keys the shapes by class name, as the guide's printing hook does, so two Linears collide",
                   hint="key by the child's name from named_children()")
def output_shapes(model, input_shape):  # noqa: F811
    dummy = torch.zeros(input_shape, device=first_device(model))
    return trace_shapes(model, dummy, model.named_children(), lambda shapes, name: (
        lambda module, inputs, output: shapes.update({type(module).__name__: tuple(output.shape)})))


@catalogue.mistake("makes the dummy input on the CPU whatever the model's device",
                   hint="put the dummy on the device of the model's first parameter")
def output_shapes(model, input_shape):  # noqa: F811
    return trace_shapes(model, torch.zeros(input_shape), model.named_children(), output_shape)


@catalogue.mistake("a hook defined in the loop without binding the name: every record lands on the last name",
                   hint="bind the loop variable now: def hook(module, inputs, output, name=name)")
def output_shapes(model, input_shape):  # noqa: F811
    shapes, handles = {}, []
    for name, child in model.named_children():
        def record(module, inputs, output):
            shapes[name] = tuple(output.shape)
        handles.append(child.register_forward_hook(record))
    try:
        model(torch.zeros(input_shape, device=first_device(model)))
    finally:
        for handle in handles:
            handle.remove()
    return shapes


# ---------------------------------------------------------------- output_shapes: alternatives

@catalogue.alternative("one hook for every child that looks its name up, and torch.Size values")
def output_shapes(model, input_shape):  # noqa: F811
    names = {child: name for name, child in model.named_children()}
    shapes = {}

    def record(module, inputs, output):
        shapes[names[module]] = output.shape

    handles = [child.register_forward_hook(record) for child in names]
    try:
        with torch.no_grad():
            model(torch.zeros(*input_shape, device=first_device(model)))
    finally:
        for handle in handles:
            handle.remove()
    return shapes


# ---------------------------------------------------------------- capture_activations: mistakes

def capture_with(model, x, names, keep):
    """Hooks that store keep(output) per name, removed in a finally: block."""
    captured, handles = {}, []
    try:
        for name in names:
            handles.append(model.get_submodule(name).register_forward_hook(
                lambda module, inputs, output, name=name: captured.update({name: keep(output)})))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in names}


@catalogue.mistake("stores the output itself, so an in-place layer later overwrites it",
                   hint="store output.detach().clone()")
def capture_activations(model, x, names):
    return capture_with(model, x, names, lambda output: output)


@catalogue.mistake("clone() without detach(): the copy is still part of the autograd graph",
                   hint="detach as well: output.detach().clone()")
def capture_activations(model, x, names):  # noqa: F811
    return capture_with(model, x, names, lambda output: output.clone())


@catalogue.mistake("detach() without clone(): an in-place layer overwrites the stored values",
                   hint="clone as well, so the copy has its own memory")
def capture_activations(model, x, names):  # noqa: F811
    return capture_with(model, x, names, lambda output: output.detach())


@catalogue.mistake("returns the activations in the order the hooks fired, not in the order of names",
                   hint="build the result by walking `names`")
def capture_activations(model, x, names):  # noqa: F811
    captured, handles = {}, []
    try:
        for name in names:
            handles.append(model.get_submodule(name).register_forward_hook(
                lambda module, inputs, output, name=name: captured.update({name: output.detach().clone()})))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return captured


@catalogue.mistake("stores the submodule's input instead of its output",
                   hint="the third argument of a forward hook is the output")
def capture_activations(model, x, names):  # noqa: F811
    captured, handles = {}, []
    try:
        for name in names:
            handles.append(model.get_submodule(name).register_forward_hook(
                lambda module, inputs, output, name=name: captured.update({name: inputs[0].detach().clone()})))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in names}


@catalogue.mistake("removes the hooks only when forward succeeds", hint="remove them in a finally: block")
def capture_activations(model, x, names):  # noqa: F811
    captured = {}
    handles = [model.get_submodule(name).register_forward_hook(
        lambda module, inputs, output, name=name: captured.update({name: output.detach().clone()})) for name in names]
    model(x)
    for handle in handles:
        handle.remove()
    return {name: captured[name] for name in names}


# ---------------------------------------------------------------- capture_activations: alternatives

@catalogue.alternative("modules found through dict(model.named_modules()) and output.clone().detach()")
def capture_activations(model, x, names):  # noqa: F811
    modules = dict(model.named_modules())
    for name in names:
        if name not in modules:
            raise AttributeError(f"no submodule named {name!r}")
    captured, handles = {}, []
    try:
        for name in names:
            handles.append(modules[name].register_forward_hook(
                lambda module, inputs, output, name=name: captured.__setitem__(name, output.clone().detach())))
        model(x)
    finally:
        for handle in handles:
            handle.remove()
    return {name: captured[name] for name in names}


# ---------------------------------------------------------------- output_grad_norms: mistakes

def norms_with(model, x, record, loss=lambda out: (out ** 2).mean()):
    """Full backward hooks calling record(norms, name, grad_input, grad_output), removed in finally."""
    norms, handles = {}, []
    for name, child in model.named_children():
        handles.append(child.register_full_backward_hook(
            lambda module, grad_input, grad_output, name=name: record(norms, name, grad_input, grad_output)))
    try:
        loss(model(x)).backward()
    finally:
        for handle in handles:
            handle.remove()
    return norms


@catalogue.mistake("records the gradient with respect to the layer's input (grad_input) instead of its output",
                   hint="grad_output[0] is the gradient of the loss with respect to the layer's output")
def output_grad_norms(model, x):
    return norms_with(model, x, lambda norms, name, grad_in, grad_out: norms.update(
        {name: grad_in[0].norm().item() if grad_in[0] is not None else 0.0}))


@catalogue.mistake("records the squared norm (the sum of squares, no square root)",
                   hint="the L2 norm is the square root of the sum of squares: .norm()")
def output_grad_norms(model, x):  # noqa: F811
    return norms_with(model, x, lambda norms, name, grad_in, grad_out: norms.update(
        {name: grad_out[0].pow(2).sum().item()}))


@catalogue.mistake("backpropagates model(x).sum() instead of (model(x) ** 2).mean()",
                   hint="the loss is (model(x) ** 2).mean()")
def output_grad_norms(model, x):  # noqa: F811
    return norms_with(model, x, lambda norms, name, grad_in, grad_out: norms.update(
        {name: grad_out[0].norm().item()}), loss=lambda out: out.sum())


@catalogue.mistake("keeps the norms as tensors instead of Python floats", hint="call .item() on each norm")
def output_grad_norms(model, x):  # noqa: F811
    return norms_with(model, x, lambda norms, name, grad_in, grad_out: norms.update(
        {name: grad_out[0].norm()}))


@catalogue.mistake("lists the layers in forward order, so the keys come out first layer first",
                   hint="let the hooks fill the dict as they fire: the last layer first")
def output_grad_norms(model, x):  # noqa: F811
    fired = norms_with(model, x, lambda norms, name, grad_in, grad_out: norms.update(
        {name: grad_out[0].norm().item()}))
    return {name: fired[name] for name, _ in model.named_children() if name in fired}


@catalogue.mistake("never removes the backward hooks", hint="remove every handle in a finally: block")
def output_grad_norms(model, x):  # noqa: F811
    norms = {}
    for name, child in model.named_children():
        child.register_full_backward_hook(
            lambda module, grad_input, grad_output, name=name: norms.update({name: grad_output[0].norm().item()}))
    (model(x) ** 2).mean().backward()
    return norms


@catalogue.mistake("tensor hooks on each output instead of module backward hooks: a child that returns its "
                   "input (Identity) shares that tensor, so the two hooks fire in forward order",
                   hint="use child.register_full_backward_hook, which gives every child its own output gradient")
def output_grad_norms(model, x):  # noqa: F811
    norms, handles = {}, []

    def watch(name):
        def forward_hook(module, inputs, output):
            if output.requires_grad:
                output.register_hook(lambda grad: norms.__setitem__(name, float(torch.linalg.vector_norm(grad))))
        return forward_hook

    for name, child in model.named_children():
        handles.append(child.register_forward_hook(watch(name)))
    try:
        loss = model(x).square().mean()
        loss.backward()
    finally:
        for handle in handles:
            handle.remove()
    return norms


# ---------------------------------------------------------------- output_grad_norms: alternatives

@catalogue.alternative("a hook factory, torch.linalg.vector_norm and float(...)")
def output_grad_norms(model, x):  # noqa: F811
    norms = {}

    def hook_for(name):
        def hook(module, grad_input, grad_output):
            norms[name] = float(torch.linalg.vector_norm(grad_output[0]))
        return hook

    handles = [child.register_full_backward_hook(hook_for(name)) for name, child in model.named_children()]
    try:
        out = model(x)
        out.pow(2).mean().backward()
    finally:
        while handles:
            handles.pop().remove()
    return norms
