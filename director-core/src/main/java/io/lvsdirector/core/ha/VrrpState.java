package io.lvsdirector.core.ha;

import java.util.Locale;

/** A VRRP instance's state as keepalived's notify hook reports it ({@code notify} argument 3). */
public enum VrrpState {
    MASTER, BACKUP, FAULT, STOP;

    /**
     * Parses keepalived's spelling, case-insensitively ({@code MASTER}, {@code master}).
     *
     * @throws IllegalArgumentException for anything else, naming the allowed values
     */
    public static VrrpState parse(String text) {
        if (text != null) {
            for (VrrpState s : values()) {
                if (s.name().equals(text.strip().toUpperCase(Locale.ROOT))) {
                    return s;
                }
            }
        }
        throw new IllegalArgumentException("state '" + text + "' is not one of MASTER, BACKUP, FAULT, STOP");
    }
}
