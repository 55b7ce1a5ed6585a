package io.slipway.image.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One challenge of a {@code WWW-Authenticate} header (RFC 7235): a scheme ({@code bearer},
 * {@code basic}, lower-cased) and its parameters ({@code realm}, {@code service}, {@code scope}).
 */
public record AuthChallenge(String scheme, Map<String, String> params) {

    public AuthChallenge {
        params = Map.copyOf(params);
    }

    public String param(String name) {
        return params.getOrDefault(name, "");
    }

    /** All challenges of a header value, in order; an unparsable value gives an empty list. */
    public static List<AuthChallenge> parse(String header) {
        List<AuthChallenge> out = new ArrayList<>();
        int i = 0;
        int n = header.length();
        String scheme = null;
        Map<String, String> params = new LinkedHashMap<>();
        while (i < n) {
            while (i < n && (header.charAt(i) == ' ' || header.charAt(i) == ',' || header.charAt(i) == '\t')) {
                i++;
            }
            int start = i;
            while (i < n && header.charAt(i) != ' ' && header.charAt(i) != '=' && header.charAt(i) != ',') {
                i++;
            }
            if (start == i) {
                break;
            }
            String token = header.substring(start, i);
            int j = i;
            while (j < n && header.charAt(j) == ' ') {
                j++;
            }
            if (j < n && header.charAt(j) == '=' && scheme != null) {
                i = j + 1;
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                StringBuilder value = new StringBuilder();
                if (i < n && header.charAt(i) == '"') {
                    i++;
                    while (i < n && header.charAt(i) != '"') {
                        if (header.charAt(i) == '\\' && i + 1 < n) {
                            i++;
                        }
                        value.append(header.charAt(i++));
                    }
                    i++;
                } else {
                    while (i < n && header.charAt(i) != ',') {
                        value.append(header.charAt(i++));
                    }
                }
                params.put(token.toLowerCase(Locale.ROOT), value.toString().strip());
            } else {
                if (scheme != null) {
                    out.add(new AuthChallenge(scheme, params));
                }
                scheme = token.toLowerCase(Locale.ROOT);
                params = new LinkedHashMap<>();
            }
        }
        if (scheme != null) {
            out.add(new AuthChallenge(scheme, params));
        }
        return out;
    }
}
