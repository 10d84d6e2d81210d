"""The learner's plugin: registers its Conv2d beside tt-vision's."""

from tt_tensor import hookimpl


@hookimpl
def register_layers(register):
    from tt_my_conv import Conv2d

    register("Conv2d", Conv2d)
