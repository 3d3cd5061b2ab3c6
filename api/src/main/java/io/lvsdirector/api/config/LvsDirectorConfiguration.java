package io.lvsdirector.api.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.dropwizard.core.Configuration;
import io.dropwizard.core.server.DefaultServerFactory;
import io.dropwizard.jetty.HttpConnectorFactory;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.util.List;

/**
 * The director's configuration file. Every section has working defaults; {@code config/director.yml}
 * is the documented example. {@code ${VAR}} and {@code ${VAR:-default}} are replaced from the
 * environment before parsing.
 *
 * <p>Ports: the REST API on 9440, {@code /healthcheck} and {@code /metrics} on the admin port 9441
 * (Dropwizard's {@code server:} section; {@code type: https} connectors give TLS).
 */
public class LvsDirectorConfiguration extends Configuration {

    public static final int APP_PORT = 9440;
    public static final int ADMIN_PORT = 9441;

    @Valid
    @NotNull
    @JsonProperty
    private StateFactory state = new StateFactory();

    @Valid
    @NotNull
    @JsonProperty
    private KernelFactory kernel = new KernelFactory();

    @Valid
    @NotNull
    @JsonProperty
    private ProbesFactory probes = new ProbesFactory();

    @Valid
    @NotNull
    @JsonProperty
    private AuthFactory auth = new AuthFactory();

    @Valid
    @NotNull
    @JsonProperty
    private ApiFactory api = new ApiFactory();

    @Valid
    @NotNull
    @JsonProperty
    private KubernetesFactory kubernetes = new KubernetesFactory();

    @Valid
    @NotNull
    @JsonProperty
    private HaFactory ha = new HaFactory();

    public LvsDirectorConfiguration() {
        DefaultServerFactory server = (DefaultServerFactory) getServerFactory();
        HttpConnectorFactory app = new HttpConnectorFactory();
        app.setPort(APP_PORT);
        HttpConnectorFactory admin = new HttpConnectorFactory();
        admin.setPort(ADMIN_PORT);
        server.setApplicationConnectors(List.of(app));
        server.setAdminConnectors(List.of(admin));
        // The API maps every exception itself into {code, message, field}.
        server.setRegisterDefaultExceptionMappers(false);
    }

    public StateFactory getState() {
        return state;
    }

    public KernelFactory getKernel() {
        return kernel;
    }

    public ProbesFactory getProbes() {
        return probes;
    }

    public AuthFactory getAuth() {
        return auth;
    }

    public ApiFactory getApi() {
        return api;
    }

    public KubernetesFactory getKubernetes() {
        return kubernetes;
    }

    public HaFactory getHa() {
        return ha;
    }
}
