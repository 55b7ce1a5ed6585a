package io.slipway.hooks.builtin;

import java.util.ArrayList;
import java.util.List;

/**
 * Slurm's compact host lists ({@code nid[001-003,007],login1}) expanded in order, enough to name
 * the node of a step-relative node id ({@code SLURM_NODEID} indexes {@code SLURM_STEP_NODELIST}).
 * One bracket group per name, as Slurm writes them for flat node names.
 */
final class SlurmHostlist {

    private SlurmHostlist() {}

    static List<String> expand(String list) {
        List<String> out = new ArrayList<>();
        if (list == null) {
            return out;
        }
        for (String item : split(list)) {
            int open = item.indexOf('[');
            int close = item.indexOf(']', open + 1);
            if (open < 0 || close < 0) {
                if (!item.isEmpty()) {
                    out.add(item);
                }
                continue;
            }
            String prefix = item.substring(0, open);
            String suffix = item.substring(close + 1);
            for (String range : item.substring(open + 1, close).split(",")) {
                int dash = range.indexOf('-');
                if (dash < 0) {
                    out.add(prefix + range + suffix);
                    continue;
                }
                String lo = range.substring(0, dash);
                String hi = range.substring(dash + 1);
                try {
                    long a = Long.parseLong(lo);
                    long b = Long.parseLong(hi);
                    for (long i = a; i <= b && out.size() < 1_000_000; i++) {
                        out.add(prefix + String.format("%0" + lo.length() + "d", i) + suffix);
                    }
                } catch (NumberFormatException e) {
                    out.add(prefix + range + suffix);
                }
            }
        }
        return out;
    }

    /** Splits at the commas outside brackets. */
    private static List<String> split(String list) {
        List<String> items = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : list.toCharArray()) {
            if (c == '[') {
                depth++;
            } else if (c == ']') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                items.add(cur.toString().trim());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        items.add(cur.toString().trim());
        return items;
    }
}
