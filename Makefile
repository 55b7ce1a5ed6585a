# Slipway build. `make` stages everything under build/ exactly as it will be installed;
# `make install PREFIX=P` copies that tree under P. Maven builds the Java core and, through
# javac -h, the JNI headers the C parts compile against.

PREFIX     ?= /usr/local
DESTDIR    ?=
BUILD      := build
MVN        ?= mvn -B -q
JAVA_HOME  ?= $(shell dirname "$$(dirname "$$(readlink -f "$$(command -v javac)")")")
CC         ?= gcc
CFLAGS     ?= -O2 -g -Wall -Wextra -Werror -fPIC
JAR        := java-core/target/slipway.jar
HEADERS    := java-core/target/native-headers
JAVA_SRC   := $(shell find java-core/src/main -type f) java-core/pom.xml pom.xml

# /usr installs keep their configuration in /etc (FHS); others under PREFIX/etc.
SYSCONFDIR := $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)

# In-namespace helpers: tiny static programs, one job each, chained by exec (docs/runtime.md).
HELPERS    := unshare rootfs mount sync switchroot nsexec keeper
HELPER_BIN := $(patsubst %,$(BUILD)/libexec/slipway/slipway-%,$(HELPERS))
HELPER_CFLAGS ?= -O2 -g -Wall -Wextra -Werror -static
ENROOT_SCRIPTS := $(wildcard enroot-scripts/*.sh)
# The SSH hook's dropbear: one static program (server, client, key tools) built from Debian's
# source package by dropbear/build.sh, which fetches the source into build/dropbear once.
DROPBEAR := $(BUILD)/libexec/slipway/dropbear/dropbearmulti
# OCI hook files: @LIBEXEC@, @PREFIX@ and @SYSCONFDIR@ become the tree's paths when staged or installed.
HOOK_FILES := $(wildcard hooks.d/*.json)
HOOK_SUBST  = sed -e 's|@LIBEXEC@|$(1)/libexec/slipway|g' -e 's|@PREFIX@|$(1)|g' -e 's|@SYSCONFDIR@|$(2)|g'

# The SPANK plugin: one C file per context (docs/architecture.md), exporting only slurm_spank_*.
PLUGIN_SRC := $(addprefix spank-c/,plugin_dispatch.c plugin_args.c plugin_local.c plugin_remote.c plugin_java.c check_cache.c json.c fdio.c)
PLUGIN     := $(BUILD)/lib/slurm/spank_slipway.so
JVMHOST    := $(BUILD)/libexec/slipway/slipway-jvmhost

STAGED := $(BUILD)/share/slipway/slipway.jar \
          $(HELPER_BIN) \
          $(PLUGIN) \
          $(JVMHOST) \
          $(BUILD)/share/slipway/enroot-scripts \
          $(BUILD)/etc/slipway/enroot/hooks.d \
          $(BUILD)/etc/slipway/hooks.d \
          $(BUILD)/libexec/slipway/slipway-hook \
          $(DROPBEAR) \
          $(BUILD)/lib/slipway/libslipway.so \
          $(BUILD)/bin/slipway \
          $(BUILD)/etc/slipway/slipway.toml \
          $(BUILD)/etc/slipway/plugstack.conf \
          $(BUILD)/etc/slipway/edf \
          $(BUILD)/share/slipway/examples \
          $(BUILD)/share/slipway/cds-training.sh \
          $(BUILD)/share/slipway/slipway.jsa

.PHONY: all test unit-test install clean
all: $(STAGED)

$(JAR): $(JAVA_SRC)
	$(MVN) package -DskipTests
	@touch $@

$(BUILD)/share/slipway/slipway.jar: $(JAR)
	install -D -m 0644 $< $@

$(BUILD)/lib/slipway/libslipway.so: spank-c/natives.c $(JAR)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux -I$(HEADERS) \
		-o $@ spank-c/natives.c -ldl -lpthread

$(PLUGIN): $(PLUGIN_SRC) spank-c/plugin.h spank-c/json.h spank-c/fdio.h spank-c/spank_slipway.lds
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -shared -Wl,--version-script=spank-c/spank_slipway.lds -o $@ $(PLUGIN_SRC) -lpthread -ldl

# The JNI host links libjvm at run time (dlopen), so it builds and loads without Java present.
$(JVMHOST): spank-c/slipway-jvmhost.c spank-c/json.c spank-c/json.h spank-c/fdio.c spank-c/fdio.h
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS) -I$(JAVA_HOME)/include -I$(JAVA_HOME)/include/linux -o $@ spank-c/slipway-jvmhost.c \
		spank-c/json.c spank-c/fdio.c -lpthread -ldl

$(BUILD)/libexec/slipway/slipway-%: spank-c/slipway-%.c spank-c/helper.h
	@mkdir -p $(dir $@)
	$(CC) $(HELPER_CFLAGS) -o $@ $<

$(DROPBEAR): dropbear/build.sh dropbear/localoptions.h
	dropbear/build.sh $(BUILD)/dropbear $(dir $@)
	@touch $@

$(BUILD)/share/slipway/enroot-scripts: $(ENROOT_SCRIPTS)
	@mkdir -p $@
	install -m 0755 $(ENROOT_SCRIPTS) $@/
	@touch $@

# The shipped shell hooks decide for themselves whether they apply, so all are enabled.
$(BUILD)/etc/slipway/enroot/hooks.d: $(ENROOT_SCRIPTS)
	@mkdir -p $@ $(BUILD)/etc/slipway/enroot/mounts.d $(BUILD)/etc/slipway/enroot/environ.d
	install -m 0755 $(ENROOT_SCRIPTS) $@/
	@touch $@

$(BUILD)/etc/slipway/hooks.d: $(HOOK_FILES)
	@rm -rf $@ && mkdir -p $@
	@for f in $(HOOK_FILES); do $(call HOOK_SUBST,$(abspath $(BUILD)),$(abspath $(BUILD))/etc) "$$f" > $@/$${f##*/}; done
	@touch $@

$(BUILD)/libexec/slipway/slipway-hook: java-core/src/main/launcher/slipway-hook
	install -D -m 0755 $< $@

$(BUILD)/bin/slipway: java-core/src/main/launcher/slipway
	install -D -m 0755 $< $@

$(BUILD)/etc/slipway/slipway.toml: conf/slipway.toml
	install -D -m 0644 $< $@

# A plugstack.conf snippet naming this tree's plugin (install writes one for PREFIX).
$(BUILD)/etc/slipway/plugstack.conf: conf/plugstack.conf
	@mkdir -p $(dir $@)
	sed 's|/usr/lib/slurm/spank_slipway.so|$(abspath $(BUILD))/lib/slurm/spank_slipway.so|' $< > $@

$(BUILD)/etc/slipway/edf: $(wildcard conf/edf/*)
	@mkdir -p $@
	cp -a conf/edf/. $@/
	@touch $@

$(BUILD)/share/slipway/examples: $(wildcard conf/examples/*)
	@mkdir -p $@
	cp -a conf/examples/. $@/
	@touch $@

$(BUILD)/share/slipway/cds-training.sh: tests/bench/cds-training.sh
	install -D -m 0755 $< $@

# Class-data-sharing archive, recorded from a representative run. It is tied to the jar's path,
# so install records it again in place.
$(BUILD)/share/slipway/slipway.jsa: $(BUILD)/share/slipway/slipway.jar $(BUILD)/share/slipway/examples \
		$(BUILD)/share/slipway/cds-training.sh $(BUILD)/lib/slipway/libslipway.so
	$(BUILD)/share/slipway/cds-training.sh $(BUILD) $@

# C unit tests run under the address and undefined-behaviour sanitizers.
$(BUILD)/tests/json_test: tests/c/json_test.c spank-c/json.c spank-c/json.h
	@mkdir -p $(dir $@)
	$(CC) -O1 -g -Wall -Wextra -Werror -fsanitize=address,undefined -o $@ tests/c/json_test.c spank-c/json.c

unit-test: $(BUILD)/lib/slipway/libslipway.so $(BUILD)/tests/json_test $(DROPBEAR)
	$(BUILD)/tests/json_test
	mvn -B --no-transfer-progress verify -Dslipway.native.library=$(abspath $(BUILD)/lib/slipway/libslipway.so)

test: all unit-test

install: all
	@set -e; dest="$(DESTDIR)$(PREFIX)"; etc="$(DESTDIR)$(SYSCONFDIR)"; \
	install -d "$$dest/bin" "$$dest/share/slipway/enroot-scripts" "$$dest/share/slipway/examples" "$$dest/lib/slipway" "$$dest/libexec/slipway" "$$etc/slipway/edf"; \
	install -d "$$etc/slipway/hooks.d" "$$etc/slipway/enroot/hooks.d" "$$etc/slipway/enroot/mounts.d" "$$etc/slipway/enroot/environ.d"; \
	install -d "$$dest/lib/slurm"; \
	install -m 0755 $(HELPER_BIN) $(JVMHOST) $(BUILD)/libexec/slipway/slipway-hook "$$dest/libexec/slipway/"; \
	rm -rf "$$dest/libexec/slipway/dropbear"; cp -a $(BUILD)/libexec/slipway/dropbear "$$dest/libexec/slipway/dropbear"; \
	for f in $(HOOK_FILES); do [ -e "$$etc/slipway/hooks.d/$${f##*/}" ] || $(call HOOK_SUBST,$(PREFIX),$(SYSCONFDIR)) "$$f" > "$$etc/slipway/hooks.d/$${f##*/}"; done; \
	install -m 0755 $(PLUGIN) "$$dest/lib/slurm/spank_slipway.so"; \
	install -m 0755 $(ENROOT_SCRIPTS) "$$dest/share/slipway/enroot-scripts/"; \
	for f in $(ENROOT_SCRIPTS); do [ -e "$$etc/slipway/enroot/hooks.d/$${f##*/}" ] || install -m 0755 "$$f" "$$etc/slipway/enroot/hooks.d/"; done; \
	install -m 0755 $(BUILD)/bin/slipway "$$dest/bin/slipway"; \
	install -m 0644 $(BUILD)/share/slipway/slipway.jar "$$dest/share/slipway/slipway.jar"; \
	install -m 0755 $(BUILD)/lib/slipway/libslipway.so "$$dest/lib/slipway/libslipway.so"; \
	[ -e "$$etc/slipway/slipway.toml" ] || install -m 0644 conf/slipway.toml "$$etc/slipway/slipway.toml"; \
	sed 's|/usr/lib/slurm/spank_slipway.so|$(PREFIX)/lib/slurm/spank_slipway.so|' conf/plugstack.conf > "$$etc/slipway/plugstack.conf"; \
	cp -a conf/edf/. "$$etc/slipway/edf/"; \
	cp -a conf/examples/. "$$dest/share/slipway/examples/"; \
	install -m 0755 tests/bench/cds-training.sh "$$dest/share/slipway/cds-training.sh"; \
	if [ -z "$(DESTDIR)" ]; then "$$dest/share/slipway/cds-training.sh" "$$dest" "$$dest/share/slipway/slipway.jsa"; \
	else echo "DESTDIR install: run $(PREFIX)/share/slipway/cds-training.sh $(PREFIX) $(PREFIX)/share/slipway/slipway.jsa on the target"; fi

clean:
	rm -rf $(BUILD)
	$(MVN) clean
