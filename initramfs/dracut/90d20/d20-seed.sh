#!/bin/sh
# SPDX-License-Identifier: MIT
# d20-seed (dracut module d20): run d20 once the network is up, with the
# servers from d20.servers=URL,URL or /etc/d20/servers, logging to the
# kernel log, and never past d20.timeout= (default 5) plus one second.
# Kernel command line: d20.servers=, d20.timeout=, d20.pin=, d20.credit=,
# d20.credit_insecure, d20.proxy=, d20=off (as for the initramfs-tools
# script: the timeout in decimal seconds, pins joined by ';' or ',').

log()
{
    case $1 in
    d20:*) printf '<5>%s\n' "$1" ;;
    *) printf '<5>d20: %s\n' "$1" ;;
    esac >/dev/kmsg 2>/dev/null
}

# A number of seconds from the kernel command line, in decimal: leading
# zeros are dropped, because the shell's arithmetic reads 010 as octal
# and stops at 08 ("Illegal number"). Not digits, or past 5 digits: the
# default ($2), said in the log.
d20_number()
{
    _v=$1
    case $_v in
    ""|*[!0-9]*) ;;
    *)
        while :; do
            case $_v in 0?*) _v=${_v#0} ;; *) break ;; esac
        done
        if [ ${#_v} -le 5 ]; then
            echo "$_v"
            return 0
        fi
        ;;
    esac
    log "not a whole number of seconds: '$1', using $2"
    echo "$2"
}

# Pins for d20.pin=: joined by ';' as for d20 --pin, or by ',' (GRUB
# reads an unquoted ';' in its configuration as the end of a command).
d20_pins()
{
    _p=$1
    _o=
    while :; do
        case $_p in
        *,*) _o=$_o${_p%%,*}\; _p=${_p#*,} ;;
        *) break ;;
        esac
    done
    echo "$_o$_p"
}

# The kernel command line's words, into the variables below; returns 1
# for d20=off.
d20_cmdline()
{
    servers=
    timeout=5
    pin=
    credit=
    insecure=
    proxy=
    for x in "$@"; do
        case $x in
        d20=off|d20=0|d20=no) return 1 ;;
        d20.servers=*) servers=${x#d20.servers=} ;;
        d20.timeout=*) timeout=${x#d20.timeout=} ;;
        d20.pin=*) pin=$(d20_pins "${x#d20.pin=}") ;;
        d20.credit=*) credit=${x#d20.credit=} ;;
        d20.credit_insecure|d20.credit_insecure=1) insecure=1 ;;
        d20.proxy=*) proxy=${x#d20.proxy=} ;;
        esac
    done
    # Whole seconds only: the bound below is the shell's arithmetic.
    timeout=$(d20_number "$timeout" 5)
    return 0
}

# tests/initramfs_args.sh sources this file for the functions above.
[ "${D20_SOURCE_ONLY:-}" = 1 ] && return 0

set -f
# shellcheck disable=SC2046
d20_cmdline $(cat /proc/cmdline) || exit 0
set +f
if [ -z "$servers" ] && ! [ -s /etc/d20/servers ]; then
    log "no d20.servers= and no /etc/d20/servers, not seeding"
    exit 0
fi

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
