package io.lvsdirector.api.metrics;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import jakarta.ws.rs.ext.Provider;
import java.util.List;
import org.glassfish.jersey.server.ContainerResponse;
import org.glassfish.jersey.server.monitoring.ApplicationEvent;
import org.glassfish.jersey.server.monitoring.ApplicationEventListener;
import org.glassfish.jersey.server.monitoring.RequestEvent;
import org.glassfish.jersey.server.monitoring.RequestEventListener;

/**
 * REST API requests as Prometheus metrics: {@code lvs_director_http_requests_total{method,route,status}} and
 * {@code lvs_director_http_request_duration_seconds{method,route}}. {@code route} is the matched resource
 * template ({@code /v1/services/{name}}), never the path itself, so a scan of made-up names cannot grow
 * the series without bound; a path no resource matched is {@code route="unmatched"}.
 *
 * <p>A Jersey event listener rather than Dropwizard's Jetty/Jersey registry: that one is not exported
 * (its dotted names break Prometheus 2.x's parser, see {@code LvsDirectorApplication}). Requests are
 * counted when Jersey has written the answer (or failed to), authentication refusals (401, 403) included.
 * Thread-safe: one listener per request, the metrics are lock-free.
 */
@Provider
public final class HttpMetrics implements ApplicationEventListener {

    private static final double[] BUCKETS = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};

    private final Counter requests;
    private final Histogram duration;

    public HttpMetrics(PrometheusRegistry registry) {
        requests = Counter.builder().name("lvs_director_http_requests_total")
                .help("REST API requests by method, matched route template and HTTP status")
                .labelNames("method", "route", "status").register(registry);
        duration = Histogram.builder().name("lvs_director_http_request_duration_seconds")
                .help("REST API request latency, from Jersey receiving the request to the answer written")
                .unit(Unit.SECONDS).classicOnly().classicUpperBounds(BUCKETS)
                .labelNames("method", "route").register(registry);
    }

    @Override
    public void onEvent(ApplicationEvent event) {
        // Nothing per application.
    }

    @Override
    public RequestEventListener onRequest(RequestEvent start) {
        long t0 = System.nanoTime();
        return event -> {
            if (event.getType() != RequestEvent.Type.FINISHED) {
                return;
            }
            String method = event.getContainerRequest().getMethod();
            String route = route(event.getUriInfo().getMatchedTemplates());
            ContainerResponse response = event.getContainerResponse();
            // No response: an exception no mapper turned into one; Jersey answers 500.
            int status = response == null ? 500 : response.getStatus();
            requests.labelValues(method, route, Integer.toString(status)).inc();
            duration.labelValues(method, route).observe((System.nanoTime() - t0) / 1e9);
        };
    }

    /** The templates Jersey matched, innermost first, joined from the root: {@code /v1/services/{name}}. */
    static String route(List<org.glassfish.jersey.uri.UriTemplate> matched) {
        if (matched == null || matched.isEmpty()) {
            return "unmatched";
        }
        StringBuilder b = new StringBuilder();
        for (int i = matched.size() - 1; i >= 0; i--) {
            String t = matched.get(i).getTemplate();
            if (t.isEmpty() || t.equals("/")) {
                continue;
            }
            if (b.length() == 0 || b.charAt(b.length() - 1) != '/') {
                if (!t.startsWith("/")) {
                    b.append('/');
                }
            } else if (t.startsWith("/")) {
                t = t.substring(1);
            }
            b.append(t);
        }
        return b.length() == 0 ? "/" : b.toString();
    }
}
