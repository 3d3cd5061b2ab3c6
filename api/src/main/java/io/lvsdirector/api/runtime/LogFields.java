package io.lvsdirector.api.runtime;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.MDC;

/**
 * The fields of one change-log line as MDC entries while it is logged, so a JSON layout carries them as
 * JSON fields ({@code "event": "real_server_changed", "service": "web", "weight_from": "1", ...}, top-level
 * with the layout's {@code flattenMdc: true}) instead of a logfmt string inside {@code message}. The
 * message keeps the logfmt line for the text layout. Dropwizard's JSON layout has no key-value-pair
 * support, the MDC is what it reads.
 *
 * <pre>{@code
 * try (var f = LogFields.of("event", "drain_started", "service", name)) {
 *     LOG.info("event=drain_started service={}", name);
 * }
 * }</pre>
 *
 * <p>Thread-confined (the MDC is per thread); a key set before is restored on close.
 */
public final class LogFields implements AutoCloseable {

    private final List<String> keys = new ArrayList<>();
    private final List<String> before = new ArrayList<>();

    private LogFields() {
    }

    /** @param keyValues key, value, key, value, ...; a null value leaves the key out */
    public static LogFields of(Object... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keys and values come in pairs");
        }
        LogFields f = new LogFields();
        for (int i = 0; i < keyValues.length; i += 2) {
            if (keyValues[i + 1] == null) {
                continue;
            }
            String key = keyValues[i].toString();
            f.keys.add(key);
            f.before.add(MDC.get(key));
            MDC.put(key, keyValues[i + 1].toString());
        }
        return f;
    }

    @Override
    public void close() {
        for (int i = keys.size() - 1; i >= 0; i--) {
            if (before.get(i) == null) {
                MDC.remove(keys.get(i));
            } else {
                MDC.put(keys.get(i), before.get(i));
            }
        }
    }
}
