# SPDX-License-Identifier: MIT
# tests/boot_lib.sh - shared by tests/boot_*.sh: checks, a temporary folder
# removed on exit, and Debian's kernel. Sourced, not run.

ok()
{
	echo "ok - $*"
}

notok()
{
	echo "not ok - $*"
	failed=1
}

# check COND-STATUS DESCRIPTION: report 0 as ok, anything else as not ok.
check()
{
	if [ "$1" = 0 ]; then ok "$2"; else notok "$2"; fi
}

failed=0
tmp=$(mktemp -d /tmp/d20-boot.XXXXXX) || exit 1
cleanup_more=:
trap 'eval "$cleanup_more"; rm -rf "$tmp"' EXIT
trap 'exit 1' INT TERM HUP

# The programs under test, copied: make in this tree may rebuild ./d20 and
# ./d20d while a boot runs.
bin=$tmp/bin
mkdir -m 755 "$bin"
chmod 755 "$tmp"
cp d20 d20d "$bin/" 2>/dev/null

# The newest Debian kernel with its modules: sets kver and vmlinuz.
find_kernel()
{
	kver=
	for m in /lib/modules/*; do
		[ -f "/boot/vmlinuz-${m##*/}" ] && kver=${m##*/}
	done
	vmlinuz=/boot/vmlinuz-$kver
	[ -n "$kver" ]
}

# Seconds from the kernel log timestamp "[   12.345678]" on the first line
# of FILE matching PATTERN (empty when none matches).
stamp()
{
	grep -a -m1 -e "$2" "$1" | sed -n 's/^[^[]*\[ *\([0-9]*\.[0-9]*\)\].*/\1/p'
}

# Difference b - a of two stamps, three decimals.
secs_between()
{
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", b - a }'
}

# How the guest's servers speak, and how d20 earns the credit the crng
# needs. By default https with pinned keys, credited as any authenticated
# answer: d20 makes its TLS handshake before the crng is ready. Built with
# TLS=0, or with D20_BOOT_TLS=0, plain HTTP with the kernel argument
# d20.credit_insecure (d20 credits nothing over plain HTTP otherwise). Also makes
# a key and self-signed certificate in $tmp/key.pem and $tmp/cert.pem.
# Sets scheme, linepin (" PIN" for a server list line), d20d_tls (d20d's
# options), insecure (kernel argument), over (d20's word for the channel)
# and has_tls (d20 built with TLS).
make_servers()
{
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
		-keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 2 -subj /CN=d20-boot \
		>/dev/null 2>&1
	pin=sha256//$(openssl x509 -in "$tmp/cert.pem" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
	mkdir -m 755 "$tmp/empty"
	has_tls=
	"$bin/d20" --version | grep -q tls && has_tls=1
	if [ "${D20_BOOT_TLS:-1}" = 1 ] && [ -n "$has_tls" ]; then
		scheme=https linepin=" $pin" insecure='' over="https+pin"
		d20d_tls="--tls --cert $tmp/cert.pem --key $tmp/key.pem"
		echo "# servers: https with pinned keys"
	else
		scheme=http linepin='' d20d_tls='' insecure=d20.credit_insecure over="http,"
		echo "# servers: plain HTTP, credited through the kernel argument d20.credit_insecure"
	fi
}

# QEMU user networking, restrict=on, whose only services are guestfwds on
# 10.0.2.100:PORT for each of PORTS running the built d20d -i (as
# make_servers chose) on the host, one per connection, as nobody in
# $tmp/empty: sets netdev.
make_netdev()
{
	netdev=user,id=n0,restrict=on
	for p in "$@"; do
		netdev="$netdev,guestfwd=tcp:10.0.2.100:$p-cmd:$bin/d20d -i $d20d_tls -u nobody -r $tmp/empty"
	done
}

# add_fwd PORT D20D-OPTIONS...: one more guestfwd on 10.0.2.100:PORT to
# the built d20d -i with those options (after make_netdev).
add_fwd()
{
	_p=$1
	shift
	netdev="$netdev,guestfwd=tcp:10.0.2.100:$_p-cmd:$bin/d20d -i $* -u nobody -r $tmp/empty"
}

# make_ca_certs NAME: a CA ($tmp/ca.pem) and two certificates it signed
# for NAME with their keys: $tmp/now.pem, valid from 2020 to 30 days from
# now, and $tmp/old.pem, valid from 2000 to 2003 only, so expired long
# before any d20 was built. now.pem must be valid at the build time too:
# a guest whose clock is before the build (rtc2001) checks dates there,
# and a test run days after debian/changelog's date must pass as on the
# day. openssl ca sets past dates; openssl x509 cannot. Returns non-zero
# when openssl failed.
make_ca_certs()
{
	(
		cd "$tmp" || exit 1
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
			-days 30 -subj /CN=d20-boot-CA -keyout ca.key -out ca.pem &&
		printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\ncopy_extensions=copy\n[p]\ncommonName=supplied\n' \
			"$tmp" "$tmp" "$tmp" >ca.cnf &&
		: >index && echo 01 >serial &&
		for c in now old; do
			openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
				-subj "/CN=$1" -addext "subjectAltName=DNS:$1" \
				-keyout "$c.key" -out "$c.csr" || exit 1
		done &&
		openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
			-startdate 20200101000000Z \
			-enddate "$(date -u -d '+30 days' +%Y%m%d%H%M%SZ)" -in now.csr -out now.pem &&
		openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
			-startdate 20000101000000Z -enddate 20030101000000Z -in old.csr -out old.pem
	) >"$tmp/ca.log" 2>&1
}

# has NAME PATTERN: the console log $tmp/NAME.log shows PATTERN.
has()
{
	grep -aq -e "$2" "$tmp/$1.log"
	check $? "$1: console shows \"$2\""
}

# dead_checks NAME: the boot NAME was given d20.timeout=3 and two servers
# of which none answers: d20 says so and ends within its own deadline,
# and the crng is still not ready (d20 did not wait for it).
dead_checks()
{
	has "$1" '0 of 2 servers verified'
	has "$1" 'd20: done'
	# from the network being up to d20's end; the slack covers starting
	# processes and logging under TCG
	_start=$(stamp "$tmp/$1.log" 'network up')
	_end=$(stamp "$tmp/$1.log" 'd20: done')
	_took=$(secs_between "${_start:-0}" "${_end:-999}")
	awk -v t="$_took" 'BEGIN { exit !(t <= 3 + 2) }'
	check $? "$1: d20 gave up within its 3 s timeout (${_took} s)"
	grep -aq 'crng init done' "$tmp/$1.log"
	[ $? != 0 ]
	check $? "$1: without an answer the crng stayed not ready (d20 did not wait for it)"
}
