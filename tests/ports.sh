# SPDX-License-Identifier: MIT
# tests/ports.sh - loopback ports, for the tests and bench/ (sourced from
# the top of the tree).

# A free loopback port: bind port 0, note it, close.
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# wait_port PORT [TENTHS]: wait (bounded, 10 s by default) until
# 127.0.0.1:PORT accepts.
wait_port() {
	_n=0
	until python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1).close()" "$1" 2>/dev/null; do
		_n=$((_n + 1))
		[ "$_n" -ge "${2:-100}" ] && return 1
		sleep 0.1
	done
}
