package io.lvsdirector.lab;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reading what {@code ipvsadm} prints, for kernel tests that cross-check the table the code wrote. */
public final class Ipvsadm {

    // "  -> 198.18.0.21:80               Route   1      0          0"
    private static final Pattern REAL_SERVER =
            Pattern.compile("->\\s+(\\S+:\\d+)\\s+(Route|Masq|Tunnel|Local)\\s+(\\d+)\\s+\\d+\\s+\\d+");

    private Ipvsadm() {
    }

    /** The listing with every run of blanks and tabs folded to one space: ipvsadm pads its columns. */
    public static String collapse(String listing) {
        return listing.replaceAll("[ \\t]+", " ");
    }

    /** Non-blank lines, trimmed, runs of blanks folded to one space. */
    public static List<String> lines(String listing) {
        return listing.lines().map(String::strip).filter(l -> !l.isEmpty()).map(l -> l.replaceAll("\\s+", " ")).toList();
    }

    /**
     * Real server {@code ADDRESS:PORT} → weight, from {@code ipvsadm -Ln -t VIP:PORT} (one service's listing;
     * for a whole table the entries of every service are merged).
     */
    public static Map<String, Integer> weights(String listing) {
        Map<String, Integer> out = new TreeMap<>();
        Matcher m = REAL_SERVER.matcher(listing);
        while (m.find()) {
            out.put(m.group(1), Integer.parseInt(m.group(3)));
        }
        return out;
    }
}
