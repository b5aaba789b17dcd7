#!/bin/bash
# SPDX-License-Identifier: MIT
# dracut module d20: seed the kernel RNG from entropy servers as soon as
# the network is up in the initramfs (hooks initqueue/online and
# pre-mount). Opt-in: add it with
#   echo 'add_dracutmodules+=" d20 "' > /etc/dracut.conf.d/d20.conf
# and give the network to the initramfs on the kernel command line
# (rd.neednet=1 ip=dhcp, or a static ip=).
#
# Looks for d20 in $D20, then in PATH; for its files in $D20_ETC (default
# /etc/d20): servers and ca.pem, as for the initramfs-tools hook.

# called by dracut: only on request (255), and only with d20 installed.
check() {
    if [[ -n ${D20:-} ]]; then
        [[ -x $D20 ]] || return 1
    else
        require_binaries d20 || return 1
    fi
    return 255
}

# called by dracut
depends() {
    echo network
    return 0
}

# called by dracut
install() {
    local bin etc f
    bin=${D20:-$(find_binary d20)}
    inst_simple "$bin" /usr/bin/d20
    etc=${D20_ETC:-/etc/d20}
    for f in servers ca.pem; do
        [[ -f $etc/$f ]] && inst_simple "$etc/$f" "/etc/d20/$f"
    done
    inst_multiple timeout tr
    inst_script "$moddir/d20-seed.sh" /sbin/d20-seed
    # network-legacy and NetworkManager run the online hooks; with
    # systemd-networkd only pre-mount comes after the network is up
    # (rd.neednet=1). Whichever comes first seeds, once.
    inst_hook initqueue/online 90 "$moddir/d20-online.sh"
    inst_hook pre-mount 90 "$moddir/d20-online.sh"
}
