package io.lvsdirector.api.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.access.jetty.RequestLogImpl;
import ch.qos.logback.core.status.Status;
import java.lang.reflect.Method;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every start of the packaged server printed two warnings from logback-access's version check (run when
 * the request log starts): "Expected version of logback-core is ? but found 1.5.26" (logback-access-common
 * 2.0.9 looks for the expected version in a file it ships under another name; api's build provides it)
 * and "Versions of logback-access-common and logback-access-jetty12 are different!" (the check reads the
 * version of Dropwizard's request-log subclass's package: 5.0.1 from Dropwizard's jar, none from the
 * shaded jar; the manifest sections in api/pom.xml name it). This runs the check on logback's own class,
 * as the unit-test classpath can (the first warning); the second needs the shaded jar, so the lab's
 * {@code LvsDirectorKernelIT} checks the packaged service's output for both.
 */
class LogbackVersionCheckTest {

    @Test
    void theRequestLogsVersionCheckFindsNothingToWarnAbout() throws Exception {
        RequestLogImpl log = new RequestLogImpl();
        Method check = RequestLogImpl.class.getDeclaredMethod("versionCheck");
        check.setAccessible(true);
        check.invoke(log);
        List<String> warnings = log.getStatusManager().getCopyOfStatusList().stream()
                .filter(s -> s.getLevel() >= Status.WARN).map(Status::getMessage).toList();
        assertThat(warnings).isEmpty();
        assertThat(log.getStatusManager().getCopyOfStatusList()).extracting(Status::getMessage)
                .anyMatch(m -> m.contains("logback-core") && m.contains("1.5"));
    }
}
