package io.lvsdirector.api.monitoring;

import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a PromQL expression reads. A small lexer, not a parser: it drops strings, label
 * matchers ({@code {...}}), ranges and subqueries ({@code [...]}), the label lists of {@code by},
 * {@code without}, {@code on}, {@code ignoring}, {@code group_left}, {@code group_right}, and Grafana's
 * {@code $variables}; what is left that is an identifier not followed by {@code (} and not a keyword is
 * a metric name. Good enough for the rules and the dashboard, and it errs towards reporting a name (a
 * keyword it does not know shows up as a missing metric, never hides one).
 */
public final class PromQl {

    private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "by", "without",
            "on", "ignoring", "group_left", "group_right", "inf", "nan", "atan2");
    private static final Pattern LABEL_LIST = Pattern.compile(
            "\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)");
    private static final Pattern IDENT = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");

    private PromQl() {
    }

    public static Set<String> metricNames(String expr) {
        String s = expr.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"")
                .replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''")
                .replaceAll("`[^`]*`", "``");
        s = s.replaceAll("\\{[^}]*}", " ").replaceAll("\\[[^]]*]", " ");
        s = LABEL_LIST.matcher(s).replaceAll(" ");
        // Grafana variables ($__rate_interval, ${service}) and numbers with units (5m, 1e3) are not names.
        s = s.replaceAll("\\$\\{?[a-zA-Z0-9_]+}?", " ").replaceAll("\\b[0-9][0-9a-zA-Z_.]*", " ");
        Set<String> names = new TreeSet<>();
        Matcher m = IDENT.matcher(s);
        while (m.find()) {
            String id = m.group();
            int after = m.end();
            while (after < s.length() && Character.isWhitespace(s.charAt(after))) {
                after++;
            }
            boolean call = after < s.length() && s.charAt(after) == '(';
            if (!call && !KEYWORDS.contains(id.toLowerCase(java.util.Locale.ROOT))) {
                names.add(id);
            }
        }
        return names;
    }
}
