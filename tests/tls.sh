#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/tls.sh - tls.c against itself with certificates made now by
# openssl: EC and RSA keys, a CA, pins, and the ways verification fails.
cd "$(dirname "$0")/.." || exit 1
BUILD=${BUILD:-build}
t=$BUILD/test/tls_test
if [ ! -x "$t" ]; then
	echo "not ok - $t missing (built only with TLS=1)"
	exit 1
fi
# make check-arch: another CPU's tls_test, run by qemu-user
[ -n "${D20_EMU:-}" ] && t="$D20_EMU $t"
d=$(mktemp -d)
trap 'rm -rf "$d"' EXIT INT TERM
q() { "$@" >/dev/null 2>&1 || echo "not ok - openssl: $*"; }

# A CA, and leaves signed by it for "localhost".
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
	-subj /CN=d20-test-CA -keyout "$d/ca.key" -out "$d/ca.pem"
leaf() { # name keyopts san days
	q openssl req -new -newkey $2 -nodes -subj "/CN=$1" -keyout "$d/$1.key" -out "$d/$1.csr"
	printf 'subjectAltName=%s\n' "$3" > "$d/$1.ext"
	q openssl x509 -req -in "$d/$1.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" \
		-CAcreateserial -days "$4" -extfile "$d/$1.ext" -out "$d/$1.pem"
}
leaf ec "ec -pkeyopt ec_paramgen_curve:P-256" DNS:localhost 30
leaf rsa "rsa:2048" DNS:localhost 30
leaf other "ec -pkeyopt ec_paramgen_curve:P-384" DNS:elsewhere.example 30
q openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
	-subj /CN=self -addext subjectAltName=DNS:localhost -keyout "$d/self.key" -out "$d/self.pem"
# Expired in 2020: openssl ca can set past dates where openssl x509 cannot.
printf '[ca]\ndefault_ca=d\n[d]\ndatabase=%s/index\nnew_certs_dir=%s\nserial=%s/serial\ndefault_md=sha256\npolicy=p\ncopy_extensions=copy\n[p]\ncommonName=supplied\n' \
	"$d" "$d" "$d" > "$d/ca.cnf"
: > "$d/index"
echo 01 > "$d/serial"
q openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=old \
	-addext subjectAltName=DNS:localhost -keyout "$d/old.key" -out "$d/old.csr"
q openssl ca -batch -config "$d/ca.cnf" -cert "$d/ca.pem" -keyfile "$d/ca.key" \
	-startdate 20200101000000Z -enddate 20200201000000Z -in "$d/old.csr" -out "$d/old.pem"

pin() {
	printf 'sha256//%s' "$(openssl x509 -in "$1" -pubkey -noout |
		openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)"
}
ecpin=$(pin "$d/ec.pem")
rsapin=$(pin "$d/rsa.pem")
otherpin=$(pin "$d/other.pem")
oldpin=$(pin "$d/old.pem")

$t load "$d/ec.pem" "$d/ec.key" ok
$t load "$d/rsa.pem" "$d/rsa.key" ok
$t load "$d/ec.pem" "$d/rsa.key" "does not match"
$t load "$d/ec.pem" "$d/nonexistent.key" "No such file"
$t load "$d/ec.key" "$d/ec.key" "no certificate"
$t load "$d/ec.pem" "$d/ec.pem" "no private key"
printf -- '-----BEGIN CERTIFICATE-----\nnot base64 at all!\n' > "$d/bad.pem"
$t load "$d/bad.pem" "$d/ec.key" "PEM"

$t talk "$d/ec.pem" "$d/ec.key" "$d/ca.pem" localhost - ok
$t talk "$d/rsa.pem" "$d/rsa.key" "$d/ca.pem" localhost - ok
$t talk "$d/ec.pem" "$d/ec.key" - localhost "$ecpin" ok
$t talk "$d/rsa.pem" "$d/rsa.key" - 127.0.0.1 "$rsapin" ok
$t talk "$d/ec.pem" "$d/ec.key" - localhost "$otherpin;$ecpin" ok
$t talk "$d/ec.pem" "$d/ec.key" - localhost "$otherpin" "does not match --pin"
$t talk "$d/other.pem" "$d/other.key" "$d/ca.pem" localhost - "does not name this host"
$t talk "$d/self.pem" "$d/self.key" "$d/ca.pem" localhost - "not signed by a trusted CA"
$t talk "$d/old.pem" "$d/old.key" "$d/ca.pem" localhost - "expired"
# A pin needs no clock: early boot may not know the date yet.
$t talk "$d/old.pem" "$d/old.key" - localhost "$oldpin" ok
$t talk "$d/ec.pem" "$d/ec.key" "$d/ca.pem" 127.0.0.1 - "IP address"
# Certificate dates are checked at the later of the clock and the build
# time (tls_cert_time): a build a year ago changes nothing; a build after
# the certificate's end (as a clock behind the build would see it) fails
# it; a certificate that ended before its build fails whatever the clock.
now=$(date +%s)
$t talk "$d/ec.pem" "$d/ec.key" "$d/ca.pem" localhost - ok $((now - 365 * 86400))
$t talk "$d/ec.pem" "$d/ec.key" "$d/ca.pem" localhost - "expired" $((now + 60 * 86400))
$t talk "$d/old.pem" "$d/old.key" "$d/ca.pem" localhost - "expired" 1578873600
$t time
$t talk "$d/ec.pem" "$d/ec.key" - localhost - "no CA bundle and no pin"
$t talk "$d/ec.pem" "$d/ec.key" - localhost "sha256//short" "bad pin"
$t talk "$d/ec.pem" "$d/ec.key" "$d/nonexistent.pem" localhost - "No such file"
# The system bundle loads (hundreds of anchors) and does not trust our CA.
if [ -f /etc/ssl/certs/ca-certificates.crt ]; then
	$t talk "$d/ec.pem" "$d/ec.key" /etc/ssl/certs/ca-certificates.crt localhost - \
		"not signed by a trusted CA"
fi
