package io.slipway.image.registry;

import java.util.ArrayList;
import java.util.List;

/**
 * The netrc format of Enroot's {@code .credentials}: {@code machine HOST login USER password SECRET}
 * tokens separated by any white space, {@code #} comments to the end of a line, {@code default}
 * for any host. {@code macdef} blocks are skipped.
 */
public final class Netrc {

    /** One {@code machine} entry; {@code machine} is empty for {@code default}. */
    public record Entry(String machine, String login, String password) {
        @Override
        public String toString() {
            return "Entry[machine=" + machine + ", login=" + login + "]";
        }
    }

    private Netrc() {}

    public static List<Entry> parse(String text) {
        List<String> tokens = tokens(text);
        List<Entry> out = new ArrayList<>();
        String machine = null;
        String login = "";
        String password = "";
        for (int i = 0; i < tokens.size(); i++) {
            String t = tokens.get(i);
            String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
            switch (t) {
                case "machine", "default" -> {
                    if (machine != null) {
                        out.add(new Entry(machine, login, password));
                    }
                    login = "";
                    password = "";
                    if (t.equals("machine")) {
                        machine = next;
                        i++;
                    } else {
                        machine = "";
                    }
                }
                case "login" -> {
                    login = next;
                    i++;
                }
                case "password" -> {
                    password = next;
                    i++;
                }
                case "account" -> i++;
                default -> {
                    // Unknown tokens are ignored, as curl does.
                }
            }
        }
        if (machine != null) {
            out.add(new Entry(machine, login, password));
        }
        return out;
    }

    private static List<String> tokens(String text) {
        List<String> tokens = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        boolean inMacro = false;
        for (String line : lines) {
            if (inMacro) {
                if (line.isBlank()) {
                    inMacro = false;
                }
                continue;
            }
            StringBuilder current = null;
            boolean quoted = false;
            for (int i = 0; i < line.length(); i++) {
                char c = line.charAt(i);
                if (current == null) {
                    if (Character.isWhitespace(c)) {
                        continue;
                    }
                    if (c == '#') {
                        break;
                    }
                    current = new StringBuilder();
                    if (c == '"') {
                        quoted = true;
                        continue;
                    }
                }
                if (quoted && c == '\\' && i + 1 < line.length()) {
                    current.append(line.charAt(++i));
                } else if (quoted ? c == '"' : Character.isWhitespace(c)) {
                    tokens.add(current.toString());
                    current = null;
                    quoted = false;
                } else {
                    current.append(c);
                }
            }
            if (current != null) {
                tokens.add(current.toString());
            }
            if (!tokens.isEmpty() && tokens.get(tokens.size() - 1).equals("macdef")) {
                tokens.remove(tokens.size() - 1);
                if (!tokens.isEmpty()) {
                    tokens.remove(tokens.size() - 1);
                }
                inMacro = true;
            }
        }
        return tokens;
    }
}
