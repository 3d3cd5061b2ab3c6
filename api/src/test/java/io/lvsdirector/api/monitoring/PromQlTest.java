package io.lvsdirector.api.monitoring;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The name extraction the contract test relies on finds names and only names. */
class PromQlTest {

    @Test
    void findsEveryMetricAndNoFunctionLabelKeywordOrVariable() {
        assertThat(PromQl.metricNames("sum by (job, instance, service) (lvs_director_backend_health{state=\"healthy\"})"
                + " == 0 or max without(policy) (lvs_director_service_all_down) == 1"))
                .containsExactly("lvs_director_backend_health", "lvs_director_service_all_down");
        assertThat(PromQl.metricNames("histogram_quantile(0.99, sum by (le, route) (rate("
                + "lvs_director_http_request_duration_seconds_bucket{route=~\"$route\"}[$__rate_interval])))"))
                .containsExactly("lvs_director_http_request_duration_seconds_bucket");
        assertThat(PromQl.metricNames("(time() - lvs_director_last_pass_timestamp_seconds) > 60 unless on(instance)"
                + " up offset 5m"))
                .containsExactly("lvs_director_last_pass_timestamp_seconds", "up");
        assertThat(PromQl.metricNames("a_metric / ignoring(x) group_left(y) b_metric > bool 1e3"))
                .containsExactly("a_metric", "b_metric");
        // A typo is reported like any other name: the check fails on it.
        assertThat(PromQl.metricNames("lvs_directr_service_in_step == 0")).containsExactly("lvs_directr_service_in_step");
    }
}
