# SPDX-License-Identifier: MIT
# d20 - entropy client and server. See README; settings in config.mk.
# Needs GNU make (pattern rules); everything else is plain POSIX.

include config.mk

O = $(BUILD)/tls$(TLS)
T = $(BUILD)/test
A = $(BUILD)/asan

BEARSSL = $(BUILD)/bearssl
BEARSSL_LIB_1 = $(BEARSSL)/build/libbearssl.a
BEARSSL_LIB = $(BEARSSL_LIB_$(TLS))
BEARSSL_INC_1 = -I$(BEARSSL)/inc
BEARSSL_INC = $(BEARSSL_INC_$(TLS))

# Components: each name is a .c file (and its .h) in this folder.
HDR = config.mk util.h args.h sha512.h aes.h drbg.h tls.h config.h http.h url.h answer.h dns.h seed.h \
	sandbox.h proxy.h metrics.h proxyhdr.h signer.h x25519.h p256.h sha256.h
CRYPTO = util sha512 aes drbg
TLS_MOD_1 = tls x25519 p256 sha256
SIGNER_MOD_1 = signer
# d20 hashes with sha512s.c (SHA-512 built for size) and needs no AES
D20_MODS = d20 args url answer dns proxy seed sandbox util sha512s $(TLS_MOD_$(TLS))
D20D_MODS = d20d args http metrics proxyhdr sandbox $(CRYPTO) $(TLS_MOD_$(TLS)) $(SIGNER_MOD_$(TLS))
D20_OBJ = $(D20_MODS:%=$(O)/%.o)
D20D_OBJ = $(D20D_MODS:%=$(O)/%.o)

ifeq ($(ARCH),amd64)
all: $(O)/d20 $(O)/d20d
	cp -f $(O)/d20 $(O)/d20d .
	@for b in d20 d20d; do \
		printf '%-5s %7d bytes (TLS=$(TLS))\n' $$b $$(wc -c < $$b); done
else
# Another CPU: both builds, left in build/ARCH/tls1 and build/ARCH/tls0.
all: $(BUILD)/tls1/d20 $(BUILD)/tls1/d20d
	@$(MAKE) --no-print-directory TLS=0 $(BUILD)/tls0/d20 $(BUILD)/tls0/d20d
	@for b in tls1/d20 tls1/d20d tls0/d20 tls0/d20d; do \
		printf '%-6s %-10s %7d bytes\n' $(ARCH) $$b $$(wc -c < $(BUILD)/$$b); done

$(TOOLCHAIN):
	sh tools/cross.sh $(ARCH) $(BUILD)
	@mkdir -p $(BUILD) && touch $@
endif

$(O)/d20: $(D20_OBJ) $(BEARSSL_LIB)
	$(CC) $(LDFLAGS) -o $@ $(D20_OBJ) $(BEARSSL_LIB)

$(O)/d20d: $(D20D_OBJ) $(BEARSSL_LIB)
	$(CC) $(LDFLAGS) -o $@ $(D20D_OBJ) $(BEARSSL_LIB)

$(O)/%.o: %.c $(HDR) $(BEARSSL_LIB) | $(TOOLCHAIN)
	@mkdir -p $(O)
	$(CC) $(CPPFLAGS) $(BEARSSL_INC) $(CFLAGS) -c -o $@ $<

# Speed matters where the bytes are hashed and enciphered; drbg.c is glue
# around aes.c, and -Os keeps d20d without TLS within 64 KiB.
$(O)/sha512.o $(O)/aes.o $(O)/x25519.o $(O)/p256.o: CFLAGS += $(FASTFLAGS)
# sha512s.c is sha512.c built for size
$(O)/sha512s.o: sha512.c

# BearSSL from Debian's source package, compiled with our compiler; then
# the files of BEARSSL_FAST again with BEARSSL_FASTFLAGS, replacing their
# objects in the archive.
# BUILD=build: its Makefile has a BUILD of its own, which ours, when given
# on the command line, would override.
$(BEARSSL_LIB_1): config.mk | $(TOOLCHAIN)
	sh tools/bearssl.sh $(BEARSSL) $(BEARSSL_MAX_SUITES)
	@echo "building BearSSL with $(CC) (log: $(BUILD)/bearssl.log)"
	@rm -rf $(BEARSSL)/build/obj $(BEARSSL_LIB_1)
	@$(MAKE) -C $(BEARSSL) BUILD=build CC="$(CC)" AR="$(AR)" CFLAGS="$(BEARSSL_CFLAGS)" \
		build/libbearssl.a > $(BUILD)/bearssl.log 2>&1 || \
		{ tail -n 20 $(BUILD)/bearssl.log; exit 1; }
	@for f in $(BEARSSL_FAST); do \
		echo "$(CC) $(BEARSSL_CFLAGS) $(BEARSSL_FASTFLAGS) src/$$f.c" >> $(BUILD)/bearssl.log; \
		$(CC) $(BEARSSL_CFLAGS) $(BEARSSL_FASTFLAGS) -I$(BEARSSL)/src -I$(BEARSSL)/inc \
			-c -o $(BEARSSL)/build/obj/$${f#*/}.o $(BEARSSL)/src/$$f.c || exit 1; \
	done
	$(AR) r $(BEARSSL_LIB_1) $(foreach f,$(BEARSSL_FAST),$(BEARSSL)/build/obj/$(notdir $(f)).o)

# The targets a person runs first install what they need (tools/deps.sh),
# then build in a second make, so that a parallel make never compiles
# before the compiler is there.

# The main job: build, start a d20d on loopback, ask it with d20 -v.
demo:
	@sh tools/deps.sh build
	@$(MAKE) --no-print-directory all
	@sh tools/demo.sh

# ---- tests ----

UNIT = util_test args_test sha512_test sha512s_test aes_test drbg_test http_test url_test answer_test dns_test \
	sandbox_test proxy_test seed_test metrics_test proxyhdr_test
sandbox_test_SRC = tests/sandbox_test.c sandbox.c
metrics_test_SRC = tests/metrics_test.c metrics.c
seed_test_SRC = tests/seed_test.c seed.c sha512.c util.c
dns_test_SRC = tests/dns_test.c dns.c util.c
url_test_SRC = tests/url_test.c url.c util.c
proxy_test_SRC = tests/proxy_test.c proxy.c url.c util.c
proxyhdr_test_SRC = tests/proxyhdr_test.c proxyhdr.c util.c
answer_test_SRC = tests/answer_test.c answer.c sha512.c util.c
http_test_SRC = tests/http_test.c http.c util.c
util_test_SRC = tests/util_test.c util.c
args_test_SRC = tests/args_test.c args.c
sha512_test_SRC = tests/sha512_test.c tests/rsp.c sha512.c util.c
# the same known answers for d20's SHA-512, built for size
sha512s_test_SRC = tests/sha512_test.c tests/rsp.c sha512s.c util.c
$(T)/sha512s_test $(A)/sha512s_test: sha512.c
aes_test_SRC = tests/aes_test.c tests/rsp.c aes.c util.c
drbg_test_SRC = tests/drbg_test.c tests/rsp.c drbg.c aes.c util.c
TEST_HDR = $(HDR) tests/test.h tests/rsp.h

.SECONDEXPANSION:

# Each unit test twice: as shipped (musl, -O2) and under ASan+UBSan.
$(T)/%_test: $(TEST_HDR) $$(%_test_SRC) | $(TOOLCHAIN)
	@mkdir -p $(T)
	$(CC) $(CPPFLAGS) $(CFLAGS) -static -o $@ $($*_test_SRC)

$(A)/%_test: $(TEST_HDR) $$(%_test_SRC)
	@mkdir -p $(A)
	$(HOSTCC) $(CPPFLAGS) $(SANFLAGS) -o $@ $($*_test_SRC)

check:
	@sh tools/deps.sh check
	@$(MAKE) --no-print-directory test

# d20 and d20d under ASan+UBSan (TLS=0), for tests/client_asan.sh and
# tests/server_asan.sh: the same modules as the shipped programs.
ASAN_D20_SRC = $(patsubst %,%.c,$(filter-out $(TLS_MOD_1),$(D20_MODS)))
ASAN_D20D_SRC = $(patsubst %,%.c,$(filter-out $(TLS_MOD_1),$(D20D_MODS)))
ASAN_CPPFLAGS = -D_DEFAULT_SOURCE -DVERSION=\"asan\" -DD20_TLS=0

$(A)/d20: $(HDR) $(ASAN_D20_SRC) sha512.c
	@mkdir -p $(A)
	$(HOSTCC) $(ASAN_CPPFLAGS) $(SANFLAGS) -o $@ $(ASAN_D20_SRC)

$(A)/d20d: $(HDR) $(ASAN_D20D_SRC)
	@mkdir -p $(A)
	$(HOSTCC) $(ASAN_CPPFLAGS) $(SANFLAGS) -o $@ $(ASAN_D20D_SRC)

# The same two for tests/valgrind.sh: host compiler (glibc), debug
# information, no sanitizer, so that memcheck sees every access.
VG = $(BUILD)/vg
# valgrind's own core makes its calls inside the guest's seccomp filter:
# the sandbox allows it the sanitizer builds' memory calls too.
VG_CPPFLAGS = -D_DEFAULT_SOURCE -DVERSION=\"valgrind\" -DD20_TLS=0 -DD20_SANDBOX_SANITIZER
VGFLAGS = -std=c99 -g -O1 -Wall -Wextra

$(VG)/d20: $(HDR) $(ASAN_D20_SRC) sha512.c
	@mkdir -p $(VG)
	$(HOSTCC) $(VG_CPPFLAGS) $(VGFLAGS) -o $@ $(ASAN_D20_SRC)

$(VG)/d20d: $(HDR) $(ASAN_D20D_SRC)
	@mkdir -p $(VG)
	$(HOSTCC) $(VG_CPPFLAGS) $(VGFLAGS) -o $@ $(ASAN_D20D_SRC)

# A test-only d20d whose workers, and a d20 whose children, attempt a
# forbidden call on request (tests/server_sandbox.sh,
# tests/client_sandbox.sh): the shipped flags, musl, TLS=0.
PROBE = $(BUILD)/probe
$(PROBE)/d20d: $(HDR) $(ASAN_D20D_SRC)
	@mkdir -p $(PROBE)
	$(CC) -D_DEFAULT_SOURCE -DVERSION=\"probe\" -DD20_TLS=0 -DD20_SANDBOX_PROBE \
		$(CFLAGS) $(LDFLAGS) -o $@ $(ASAN_D20D_SRC)

$(PROBE)/d20: $(HDR) $(ASAN_D20_SRC) sha512.c
	@mkdir -p $(PROBE)
	$(CC) -D_DEFAULT_SOURCE -DVERSION=\"probe\" -DD20_TLS=0 -DD20_SANDBOX_PROBE \
		$(CFLAGS) $(LDFLAGS) -o $@ $(ASAN_D20_SRC)

# A test-only d20d that keeps the TLS key in every worker, as d20d did
# before its signer (d20d.c, D20D_KEY_IN_WORKER): tests/server_keysep.sh
# must find the key in its workers, and make bench measures what the
# signer costs against it. The shipped flags, TLS=1 only.
KEYIN = $(BUILD)/keyinworker
$(KEYIN)/%.o: %.c $(HDR) $(BEARSSL_LIB_1)
	@mkdir -p $(KEYIN)
	$(CC) $(CPPFLAGS) -DD20D_KEY_IN_WORKER $(BEARSSL_INC_1) $(CFLAGS) -c -o $@ $<
$(KEYIN)/sha512.o $(KEYIN)/aes.o $(KEYIN)/x25519.o $(KEYIN)/p256.o: CFLAGS += $(FASTFLAGS)
$(KEYIN)/d20d: $(D20D_MODS:%=$(KEYIN)/%.o) $(BEARSSL_LIB_1)
	$(CC) $(LDFLAGS) -o $@ $(D20D_MODS:%=$(KEYIN)/%.o) $(BEARSSL_LIB_1)

# tls.c against itself, x25519.c against RFC 7748 and BearSSL's own
# X25519, p256.c against NIST's key pairs and BearSSL's own P-256 (TLS=1
# only: they link BearSSL).
$(T)/tls_test: tests/tls_test.c tls.c x25519.c p256.c sha256.c util.c $(HDR) $(BEARSSL_LIB_1) | $(TOOLCHAIN)
	@mkdir -p $(T)
	$(CC) $(CPPFLAGS) $(BEARSSL_INC_1) $(CFLAGS) -static -o $@ \
		tests/tls_test.c tls.c x25519.c p256.c sha256.c util.c $(BEARSSL_LIB_1)
$(T)/x25519_test $(T)/p256_test $(T)/sha256_test: $(T)/%_test: tests/%_test.c tests/rsp.c x25519.c p256.c sha256.c util.c \
		$(TEST_HDR) $(BEARSSL_LIB_1) | $(TOOLCHAIN)
	@mkdir -p $(T)
	$(CC) $(CPPFLAGS) $(BEARSSL_INC_1) $(CFLAGS) $(FASTFLAGS) -static -o $@ \
		$< tests/rsp.c x25519.c p256.c sha256.c util.c $(BEARSSL_LIB_1)
TLS_UNIT_1 = $(T)/x25519_test $(T)/p256_test $(T)/sha256_test
TLS_ASAN_1 = $(A)/x25519_test $(A)/p256_test $(A)/sha256_test
TLS_TESTS_1 = tests/tls.sh tests/client_reneg.sh tests/server_testssl.sh tests/client_tlsrandom.sh \
	tests/server_keysep.sh
TLS_TESTBIN_1 = $(T)/tls_test $(TLS_UNIT_1) $(TLS_ASAN_1) $(KEYIN)/d20d

# Integration tests: shell scripts that drive the built d20 and d20d.
SHTESTS = tests/build.sh tests/licence.sh $(TLS_TESTS_$(TLS)) tests/client_hostile.sh tests/client_d20d.sh \
	tests/client_kernel.sh tests/client_pollen.sh tests/client_asan.sh tests/client_dns.sh \
	tests/client_proxy.sh tests/client_sandbox.sh
SHTESTS += tests/server_basic.sh tests/server_modes.sh tests/server_load.sh tests/server_sandbox.sh \
	tests/server_tls.sh tests/server_pollinate.sh tests/server_asan.sh tests/server_metrics.sh
# Load and faults: 10,000 requests, slowloris, caps, SIGKILL, SIGTERM;
# d20d and d20 under valgrind.
SHTESTS += tests/server_fault.sh tests/valgrind.sh
# Deployment and early boot: install, systemd, podman, inetd and xinetd,
# dracut, QEMU.
SHTESTS += tests/deploy_install.sh tests/deploy_systemd.sh tests/deploy_container.sh \
	tests/deploy_inetd.sh tests/boot_dracut.sh tests/boot_initramfs.sh tests/boot_cloud.sh
# Issue 10: pin lists, kernel command line numbers, -o, d20 children's drop
# (the TLS deadline and the chroot are in tests/server_test.py)
SHTESTS += tests/client_pins.sh tests/initramfs_args.sh tests/client_output.sh \
	tests/client_drop.sh
# Issue 15: d20d behind the real HAProxy, PROXY protocol v1 and v2
SHTESTS += tests/balancer.sh

# libFuzzer harnesses tests/fuzz_NAME.c (clang), each with a seed corpus
# in tests/corpus/NAME/; make check runs each for FUZZ_SECONDS. NAME_SRC
# is compiled and linked; NAME_DEP is what a harness #includes whole to
# reach its static functions.
FUZZ_TLS_1 = pem pin spki
FUZZ = request pct answer url dns proxy proxyhdr $(FUZZ_TLS_$(TLS))
dns_SRC = tests/fuzz_dns.c dns.c util.c
answer_SRC = tests/fuzz_answer.c answer.c sha512.c util.c
url_SRC = tests/fuzz_url.c url.c util.c
proxy_SRC = tests/fuzz_proxy.c proxy.c url.c util.c
proxyhdr_SRC = tests/fuzz_proxyhdr.c proxyhdr.c util.c
request_SRC = tests/fuzz_request.c http.c util.c
pct_SRC = tests/fuzz_pct.c http.c util.c
pem_SRC = tests/fuzz_pem.c util.c x25519.c p256.c sha256.c $(BEARSSL_FUZZ_LIB)
pin_SRC = tests/fuzz_pin.c util.c x25519.c p256.c sha256.c $(BEARSSL_FUZZ_LIB)
spki_SRC = tests/fuzz_spki.c util.c x25519.c p256.c sha256.c $(BEARSSL_FUZZ_LIB)
pem_DEP = tls.c
pin_DEP = tls.c
spki_DEP = tls.c
FUZZ_SECONDS = 10
FUZZCC = clang
# UBSan findings abort, so that libFuzzer counts them as crashes.
FUZZSAN = -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZFLAGS = -g -O1 -fsanitize=fuzzer $(FUZZSAN) -D_DEFAULT_SOURCE -DD20_TLS=0 \
	$(BEARSSL_INC_$(TLS))

$(BUILD)/fuzz/%: $(HDR) $$(%_SRC) $$(%_DEP)
	@mkdir -p $(BUILD)/fuzz
	$(FUZZCC) $(FUZZFLAGS) -o $@ $($*_SRC)

# The TLS harnesses include tls.c, so they link a second BearSSL built by
# clang with the same sanitizers, from the same unpacked source (the musl
# one unpacks it) into its own folder. Its coverage is libFuzzer's but for
# comparison tracing, which in BearSSL's T0 interpreter traces opcodes
# rather than input and took three quarters of the time.
BEARSSL_FUZZ = $(BUILD)/bearssl-fuzz
BEARSSL_FUZZ_LIB = $(BEARSSL_FUZZ)/libbearssl.a
BEARSSL_FUZZ_CFLAGS = -g -O1 $(FUZZSAN) -fsanitize-coverage=inline-8bit-counters,pc-table \
	-DBR_USE_URANDOM=0 -DBR_RDRAND=0

$(BEARSSL_FUZZ_LIB): $(BEARSSL_LIB_1)
	@echo "building BearSSL with $(FUZZCC) for the fuzzers (log: $(BUILD)/bearssl-fuzz.log)"
	@rm -rf $(BEARSSL_FUZZ)
	@$(MAKE) -C $(BEARSSL) BUILD="$(abspath $(BEARSSL_FUZZ))" CC="$(FUZZCC)" AR=ar \
		CFLAGS="$(BEARSSL_FUZZ_CFLAGS)" "$(abspath $(BEARSSL_FUZZ_LIB))" \
		> $(BUILD)/bearssl-fuzz.log 2>&1 || \
		{ tail -n 20 $(BUILD)/bearssl-fuzz.log; exit 1; }

# x25519_test and p256_test again under ASan+UBSan: clang, with the
# BearSSL built for the fuzzers (after its definition: a prerequisite list
# is expanded when make reads it).
$(A)/x25519_test $(A)/p256_test $(A)/sha256_test: $(A)/%_test: tests/%_test.c tests/rsp.c x25519.c p256.c sha256.c util.c \
		$(TEST_HDR) $(BEARSSL_FUZZ_LIB)
	@mkdir -p $(A)
	$(FUZZCC) -g -O1 $(FUZZSAN) -D_DEFAULT_SOURCE $(BEARSSL_INC_1) -o $@ \
		$< tests/rsp.c x25519.c p256.c sha256.c util.c $(BEARSSL_FUZZ_LIB)

# The test scripts get make's name through SUBMAKE: a recipe that names
# $(MAKE) itself runs even under make -n, and this one runs every test.
SUBMAKE = $(MAKE)

test: all $(UNIT:%=$(T)/%) $(UNIT:%=$(A)/%) $(A)/d20 $(A)/d20d $(VG)/d20 $(VG)/d20d $(PROBE)/d20d $(PROBE)/d20 $(TLS_TESTBIN_$(TLS)) $(FUZZ:%=$(BUILD)/fuzz/%)
	@D20_CAVS=$(CAVS) D20_DRBG_VECTORS=$(DRBG_VECTORS) MAKE="$(SUBMAKE)" \
		BUILD=$(BUILD) FUZZ="$(FUZZ)" FUZZ_SECONDS=$(FUZZ_SECONDS) \
		sh tests/run.sh $(UNIT:%=$(T)/%) $(TLS_UNIT_$(TLS)) $(UNIT:%=$(A)/%) $(TLS_ASAN_$(TLS)) $(SHTESTS) \
		$(if $(FUZZ),tests/fuzz.sh)

# ---- other CPUs ----

# make check-arch: for each of ARCHES, the cross builds (with -Werror),
# the unit tests with the NIST vectors, tls.c against itself, and d20d
# with d20 on loopback (tests/arch_loopback.sh), each program run through
# qemu-user. sandbox_test is left out there: qemu-user refuses seccomp
# filters, so the loopback pair is built with D20_SANDBOX_EMULATED. Then
# tests/boot_arm64.sh: Debian's arm64 kernel under qemu-system-aarch64,
# the arm64 d20 in its initramfs, seccomp filters and all.
ARCH_UNIT = $(filter-out sandbox_test,$(UNIT))
EMUB = $(BUILD)/emu
EMU_CPPFLAGS = -D_DEFAULT_SOURCE -DVERSION=\"$(VERSION)\" -DD20_TLS=1 \
	-DD20_BUILD_EPOCH=$(BUILD_EPOCH)LL -DD20_SANDBOX_EMULATED

$(EMUB)/d20: $(HDR) $(D20_MODS:%=%.c) sha512.c $(BEARSSL_LIB_1) | $(TOOLCHAIN)
	@mkdir -p $(EMUB)
	$(CC) $(EMU_CPPFLAGS) $(BEARSSL_INC_1) $(CFLAGS) $(LDFLAGS) -o $@ \
		$(D20_MODS:%=%.c) $(BEARSSL_LIB_1)

$(EMUB)/d20d: $(HDR) $(D20D_MODS:%=%.c) $(BEARSSL_LIB_1) | $(TOOLCHAIN)
	@mkdir -p $(EMUB)
	$(CC) $(EMU_CPPFLAGS) $(BEARSSL_INC_1) $(CFLAGS) $(LDFLAGS) -o $@ \
		$(D20D_MODS:%=%.c) $(BEARSSL_LIB_1)

check-arch:
	@sh tools/deps.sh check
	@$(MAKE) --no-print-directory all
	@for a in $(ARCHES); do \
		$(MAKE) --no-print-directory ARCH=$$a arch-test || exit 1; done
	@sh tests/run.sh tests/boot_arm64.sh

arch-test: all $(ARCH_UNIT:%=$(T)/%) $(T)/tls_test $(TLS_UNIT_1) $(EMUB)/d20 $(EMUB)/d20d
	@echo "# ARCH=$(ARCH), run by $(EMU)"
	@D20_EMU=$(EMU) D20_CAVS=$(CAVS) D20_DRBG_VECTORS=$(DRBG_VECTORS) \
		BUILD=$(BUILD) ARCH=$(ARCH) \
		sh tests/run.sh tests/arch_size.sh $(ARCH_UNIT:%=$(T)/%) $(TLS_UNIT_1) tests/tls.sh \
		tests/arch_loopback.sh

# Longer fuzzing: make fuzz FUZZ_SECONDS=600
fuzz: $(FUZZ:%=$(BUILD)/fuzz/%)
	BUILD=$(BUILD) FUZZ="$(FUZZ)" FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/fuzz.sh

# ---- benchmarks ----

$(BUILD)/bench_crypto: bench/crypto.c bench/cputime.h $(HDR) sha512.c aes.c drbg.c util.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(FASTFLAGS) -static -o $@ bench/crypto.c sha512.c aes.c drbg.c util.c

bench-crypto:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/bench_crypto
	sh bench/crypto.sh $(BUILD)/bench_crypto

# One d20 exchange beside pollinate, both against a local d20d.
bench-client:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	sh bench/client.sh

# d20d beside Debian's pollen under wrk (see bench/server.sh).
bench-server:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all
	sh bench/server.sh ./d20d

# What keeping the TLS key in a signer costs per handshake: d20d beside
# the same source with the key in each worker, under wrk over HTTPS.
bench-tls:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(KEYIN)/d20d
	BUILD=$(BUILD) sh bench/tls.sh ./d20d $(KEYIN)/d20d

# The public-key arithmetic of one handshake, BearSSL as d20d links it
# beside openssl speed (bench/ec.sh).
$(BUILD)/bench_ec: bench/ec.c bench/cputime.h $(BUILD)/tls1/x25519.o $(BUILD)/tls1/p256.o \
		$(BUILD)/tls1/util.o $(BEARSSL_LIB_1)
	$(CC) $(CFLAGS) $(BEARSSL_INC_1) -static -o $@ bench/ec.c $(BUILD)/tls1/x25519.o \
		$(BUILD)/tls1/p256.o $(BUILD)/tls1/util.o $(BEARSSL_LIB_1)

bench-ec:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory $(BUILD)/bench_ec
	sh bench/ec.sh $(BUILD)/bench_ec

# Where d20d spends its CPU over HTTP and HTTPS under wrk (bench/profile.sh,
# perf with a software clock): the shipped objects linked with their
# symbols (no -s) into build/profile/d20d. TLS=1 only.
PROFB = $(BUILD)/profile
$(PROFB)/d20d: $(D20D_MODS:%=$(BUILD)/tls1/%.o) $(BEARSSL_LIB_1)
	@mkdir -p $(PROFB)
	$(CC) $(filter-out -s,$(LDFLAGS)) -o $@ $(D20D_MODS:%=$(BUILD)/tls1/%.o) $(BEARSSL_LIB_1)

profile:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(PROFB)/d20d
	sh bench/profile.sh $(PROFB)/d20d

# Every comparison in one run (bench/all.sh): server, TLS key separation,
# handshake arithmetic, client, sizes, peak RSS, crypto; writes bench/results.md,
# bench/results.png and the README's Benchmarks section. Quick look:
# make bench SECONDS_EACH=2 ROUNDS=1 RUNS=20
bench:
	@sh tools/deps.sh bench
	@$(MAKE) --no-print-directory all $(BUILD)/bench_crypto $(BUILD)/bench_ec $(KEYIN)/d20d \
		$(PROFB)/d20d
	@$(MAKE) --no-print-directory TLS=0 $(BUILD)/tls0/d20 $(BUILD)/tls0/d20d
	BUILD=$(BUILD) BENCH_CMD="make bench" sh bench/all.sh

# ---- install ----

# dist/ holds the systemd units (paths filled in here), the inetd and
# xinetd examples and the Containerfile; initramfs/ the boot hooks.
UNITS = d20.service d20-daily.service d20.timer d20d.socket d20d@.service \
	d20d-daemon.socket d20d.service
INITRAMFS_FILES = hooks/d20 scripts/init-premount/d20
DRACUT_FILES = module-setup.sh d20-online.sh d20-seed.sh

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR)
	cp -f d20 $(DESTDIR)$(BINDIR)/d20
	cp -f d20d $(DESTDIR)$(SBINDIR)/d20d
	chmod 755 $(DESTDIR)$(BINDIR)/d20 $(DESTDIR)$(SBINDIR)/d20d
	mkdir -p $(DESTDIR)$(MANPREFIX)/man1 $(DESTDIR)$(MANPREFIX)/man8
	cp -f d20.1 $(DESTDIR)$(MANPREFIX)/man1/d20.1
	cp -f d20d.8 $(DESTDIR)$(MANPREFIX)/man8/d20d.8
	chmod 644 $(DESTDIR)$(MANPREFIX)/man1/d20.1 $(DESTDIR)$(MANPREFIX)/man8/d20d.8
	mkdir -p $(DESTDIR)$(UNITDIR)
	for u in $(UNITS); do \
		sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
			dist/$$u > $(DESTDIR)$(UNITDIR)/$$u && \
		chmod 644 $(DESTDIR)$(UNITDIR)/$$u || exit 1; done
	mkdir -p $(DESTDIR)$(INITRAMFSDIR)/hooks $(DESTDIR)$(INITRAMFSDIR)/scripts/init-premount
	for f in $(INITRAMFS_FILES); do \
		cp -f initramfs/initramfs-tools/$$f $(DESTDIR)$(INITRAMFSDIR)/$$f && \
		chmod 755 $(DESTDIR)$(INITRAMFSDIR)/$$f || exit 1; done
	mkdir -p $(DESTDIR)$(DRACUTDIR)/90d20
	for f in $(DRACUT_FILES); do \
		cp -f initramfs/dracut/90d20/$$f $(DESTDIR)$(DRACUTDIR)/90d20/$$f && \
		chmod 755 $(DESTDIR)$(DRACUTDIR)/90d20/$$f || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/d20 $(DESTDIR)$(SBINDIR)/d20d
	rm -f $(DESTDIR)$(MANPREFIX)/man1/d20.1 $(DESTDIR)$(MANPREFIX)/man8/d20d.8
	for u in $(UNITS); do rm -f $(DESTDIR)$(UNITDIR)/$$u; done
	for f in $(INITRAMFS_FILES); do rm -f $(DESTDIR)$(INITRAMFSDIR)/$$f; done
	for f in $(DRACUT_FILES); do rm -f $(DESTDIR)$(DRACUTDIR)/90d20/$$f; done
	-rmdir $(DESTDIR)$(DRACUTDIR)/90d20

# ---- Debian packages and reproducible builds ----

# d20 and d20d .deb files in $(BUILD)/deb (tools/deb.sh: a copy of the
# sources with BearSSL's unpacked beside them, then dpkg-buildpackage).
deb:
	@sh tools/deps.sh deb
	BUILD=$(BUILD) sh tools/deb.sh $(BUILD)/deb

# Two package builds in different folders, umasks, locales, time zones and
# times, compared byte for byte (tests/repro.sh); prints the SHA-256 of
# d20, d20d and both .deb files.
check-repro:
	@sh tools/deps.sh deb
	@BUILD=$(BUILD) sh tests/run.sh tests/repro.sh

# make check and the slow tests in one run: the packages built, checked by
# lintian, installed and purged in a debootstrap chroot (tests/deb.sh),
# and built twice to compare (tests/repro.sh). On the shared 2-core VM:
# deb.sh 11 min the first time (debootstrap 6.5 min, then cached in
# D20_CACHE, default $(BUILD)/cache), 5 min after; repro.sh 10 min.
FULLTESTS = tests/deb.sh tests/repro.sh
# Then make check-arch: the six other CPUs under qemu, and the arm64 boot.
check-full:
	@sh tools/deps.sh full
	@$(MAKE) --no-print-directory test SHTESTS="$(SHTESTS) $(FULLTESTS)"
	@$(MAKE) --no-print-directory check-arch

clean:
	rm -rf $(BUILD) d20 d20d

.PHONY: all demo check check-full check-arch arch-test check-repro deb test fuzz bench bench-crypto bench-client bench-server bench-tls bench-ec profile install uninstall clean
