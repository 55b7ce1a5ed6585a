package io.slipway.hooks.builtin;

import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * Refreshes the container's dynamic linker cache ({@code ldconfig -r ROOT}) after other hooks
 * added libraries. Images without glibc (no {@code /etc/ld.so.cache} and no ldconfig, such as
 * Alpine's musl) are skipped, as is a read-only root filesystem, where the cache cannot change.
 */
final class LdcacheHook implements BuiltinHook {

    @Override
    public String name() {
        return "ldcache";
    }

    @Override
    public void run(HookContext ctx, HookActions out) throws IOException {
        Ldconfig.refresh(ctx, out);
    }
}
