#!/bin/sh
# SPDX-License-Identifier: MIT
# d20-seed (dracut module d20): run d20 once the network is up, with the
# servers from d20.servers=URL,URL or /etc/d20/servers, logging to the
# kernel log, and never past d20.timeout= (default 5) plus one second.
# Kernel command line: d20.servers=, d20.timeout=, d20.pin=, d20.credit=,
# d20.credit_insecure, d20.proxy=, d20=off (as for the initramfs-tools
# script).

log()
{
    case $1 in
    d20:*) printf '<5>%s\n' "$1" ;;
    *) printf '<5>d20: %s\n' "$1" ;;
    esac >/dev/kmsg 2>/dev/null
}

servers=
timeout=5
pin=
credit=
insecure=
proxy=
set -f
for x in $(cat /proc/cmdline); do
    case $x in
    d20=off|d20=0|d20=no) exit 0 ;;
    d20.servers=*) servers=${x#d20.servers=} ;;
    d20.timeout=*) timeout=${x#d20.timeout=} ;;
    d20.pin=*) pin=${x#d20.pin=} ;;
    d20.credit=*) credit=${x#d20.credit=} ;;
    d20.credit_insecure|d20.credit_insecure=1) insecure=1 ;;
    d20.proxy=*) proxy=${x#d20.proxy=} ;;
    esac
done
set +f
if [ -z "$servers" ] && ! [ -s /etc/d20/servers ]; then
    log "no d20.servers= and no /etc/d20/servers, not seeding"
    exit 0
fi
case $timeout in ""|*[!0-9]*) timeout=5 ;; esac

set -- --timeout "$timeout"
[ -n "$pin" ] && set -- "$@" --pin "$pin"
[ -n "$credit" ] && set -- "$@" --credit "$credit"
[ -n "$insecure" ] && set -- "$@" --credit-insecure
[ -n "$proxy" ] && set -- "$@" --proxy "$proxy"
[ -s /etc/d20/ca.pem ] && set -- "$@" --ca /etc/d20/ca.pem
if [ -n "$servers" ]; then
    set -f  # split at commas, expand no pattern
    # shellcheck disable=SC2046
    set -- "$@" $(echo "$servers" | tr ',' ' ')
    set +f
else
    set -- "$@" -f /etc/d20/servers
fi

log "start: timeout ${timeout} s"
timeout -s KILL "$((timeout + 1))" /usr/bin/d20 -v "$@" 2>&1 |
while IFS= read -r line; do
    log "$line"
done
log "done"
exit 0
