#!/bin/sh
# SPDX-License-Identifier: MIT
# dracut hook for initqueue/online and pre-mount (sourced, so it must not
# exit): seed once, from whichever comes first once the network is up.
# d20-seed bounds itself to d20.timeout= plus one second.
if ! [ -e /tmp/d20.ran ]; then
    : >/tmp/d20.ran
    /sbin/d20-seed
fi
