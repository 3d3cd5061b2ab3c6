package io.lvsdirector.api.metrics;

import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;

/**
 * {@code lvs_director_build_info{version, java_version} 1}: which build runs where, the Prometheus
 * convention ({@code prometheus_build_info}, {@code node_exporter_build_info}) so a dashboard can show
 * it and a rule can join on it. The version is written into {@code build.properties} by Maven.
 */
public final class BuildInfo {

    static final String RESOURCE = "/io/lvsdirector/api/build.properties";

    private BuildInfo() {
    }

    /** This build's version, or {@code "unknown"} when the resource was not filtered (an IDE run). */
    public static String version() {
        Properties p = new Properties();
        try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        String v = p.getProperty("version", "");
        return v.isEmpty() || v.startsWith("${") ? "unknown" : v;
    }

    public static void register(PrometheusRegistry registry) {
        Info.builder().name("lvs_director_build_info")
                .help("1, labelled with the running build's version and the Java runtime's version")
                .labelNames("version", "java_version").register(registry)
                .setLabelValues(version(), Runtime.version().toString());
    }
}
